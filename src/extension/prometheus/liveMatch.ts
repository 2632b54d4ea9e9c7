// Which live session watches the container a history is about (pure, unit-tested). A k8s session's
// target reads "namespace/pod[/container]"; a history is about a pod or a workload's pods (a pattern).
import type { PromContainerRef } from '../../shared/prometheusTypes';

export function sessionMatchesRef(targetPod: string | undefined, ref: PromContainerRef): boolean {
  if (!targetPod) return false;
  const [namespace, pod, container] = targetPod.split('/');
  if (namespace !== ref.namespace || !pod) return false;
  if (container && container !== ref.container) return false;
  if (pod === ref.pod) return true;
  if (!ref.podPattern) return false;
  try {
    return new RegExp(`^(?:${ref.podPattern})$`).test(pod);
  } catch {
    return false;
  }
}
