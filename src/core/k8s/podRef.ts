// Kubernetes names as every entry point receives them (CLI `--k8s`/`--context`, launch.json
// `pod`/`kubeContext`, the pod picker's typed namespace, settings), checked by the API server's own
// rules before they reach kubectl: a name that starts with "-" would be read by kubectl as a flag
// (`--as=system:admin`, `--server=https://elsewhere` with the user's token).
import { HeapscopeError } from '../errors';

/** RFC 1123 label: namespaces and container names (≤ 63). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: pod names (≤ 253). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/**
 * kubeconfig context names are free text in practice (EKS ARNs with ':' and '/', GKE's '_', '@' of
 * user@cluster); what matters is that none is empty, starts with '-', or holds spaces or controls.
 */
const CONTEXT = /^[^\s\x00-\x1f\x7f-][^\s\x00-\x1f\x7f]{0,252}$/;

export interface PodNames {
  namespace: string;
  pod: string;
  container?: string;
  context?: string;
}

export function isNamespaceName(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

export function isPodName(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}

export function isContainerName(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

export function isContextName(name: string): boolean {
  return CONTEXT.test(name);
}

function invalid(what: string, name: string, rule: string): HeapscopeError {
  return new HeapscopeError('usage', `${JSON.stringify(name)} is not a valid Kubernetes ${what}: ${rule}.`);
}

const LABEL_RULE =
  'lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63';

export function checkNamespace(name: string): string {
  if (!isNamespaceName(name)) throw invalid('namespace', name, LABEL_RULE);
  return name;
}

export function checkContext(name: string): string {
  if (!isContextName(name))
    throw invalid('context name', name, 'no spaces or control characters, not starting with "-"');
  return name;
}

/** Throws a usage error naming the first invalid part; returns the names unchanged. */
export function checkPodNames<T extends PodNames>(names: T): T {
  checkNamespace(names.namespace);
  if (!isPodName(names.pod))
    throw invalid(
      'pod name',
      names.pod,
      'lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253',
    );
  if (names.container !== undefined && !isContainerName(names.container))
    throw invalid('container name', names.container, LABEL_RULE);
  if (names.context !== undefined) checkContext(names.context);
  return names;
}

/** "namespace/pod[/container]" as the CLI (`--k8s`) and launch configurations (`pod`) write it. */
export function parsePodRef(text: string): { namespace: string; pod: string; container?: string } {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p)) {
    throw new HeapscopeError(
      'usage',
      `"${text}" is not a pod reference. Write namespace/pod or namespace/pod/container, e.g. default/api-0/app.`,
    );
  }
  const [namespace, pod, container] = parts as [string, string, string | undefined];
  const ref = container ? { namespace, pod, container } : { namespace, pod };
  try {
    return checkPodNames(ref);
  } catch (error) {
    throw new HeapscopeError(
      'usage',
      `"${text}" is not a pod reference: ${(error as Error).message} Write namespace/pod or namespace/pod/container, e.g. default/api-0/app.`,
    );
  }
}
