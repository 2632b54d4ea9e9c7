// "namespace/pod[/container]" as the CLI (`--k8s`) and launch configurations (`pod`) write it.
import { HeapscopeError } from '../errors';

/** Kubernetes names: DNS labels/subdomains (lowercase alphanumerics, '-', '.'). */
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function parsePodRef(text: string): { namespace: string; pod: string; container?: string } {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !NAME.test(p))) {
    throw new HeapscopeError(
      'usage',
      `"${text}" is not a pod reference. Write namespace/pod or namespace/pod/container, e.g. default/api-0/app.`,
    );
  }
  const [namespace, pod, container] = parts as [string, string, string | undefined];
  return container ? { namespace, pod, container } : { namespace, pod };
}
