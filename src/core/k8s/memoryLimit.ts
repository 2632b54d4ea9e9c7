// The memory limit of a container and what it uses now, read from its cgroup through the same
// `kubectl exec` the attach uses: cgroup v2 (memory.max, memory.current), else v1
// (memory.limit_in_bytes, memory.usage_in_bytes). A heap snapshot makes V8 hold about the heap
// again while it writes; in a container near its limit that is an OOM kill, so faces check first.
import { execIn } from './connect';
import type { KubectlOptions, KubectlTarget } from './kubectl';

export interface ContainerMemory {
  /** Undefined: no limit set (or none could be read). */
  limitBytes?: number;
  currentBytes?: number;
  source: 'cgroup v2' | 'cgroup v1' | 'unknown';
}

/** One fixed script: two numbers (or "max") on two lines, and which cgroup version gave them. */
export const CGROUP_MEMORY_SCRIPT =
  'if [ -r /sys/fs/cgroup/memory.max ]; then echo v2; cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.current; ' +
  'elif [ -r /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then echo v1; ' +
  'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.usage_in_bytes; fi';

/** cgroup v1 writes "no limit" as a huge page-aligned number (PAGE_COUNTER_MAX pages). */
const V1_NO_LIMIT = 2 ** 60;

export function parseCgroupMemory(stdout: string): ContainerMemory {
  const [version, limitText, currentText] = stdout.trim().split(/\s+/);
  if (version !== 'v1' && version !== 'v2') return { source: 'unknown' };
  const number = (text: string | undefined) =>
    text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
  const limit = number(limitText);
  return {
    source: version === 'v2' ? 'cgroup v2' : 'cgroup v1',
    ...(limit !== undefined && limit < V1_NO_LIMIT ? { limitBytes: limit } : {}),
    ...(number(currentText) !== undefined ? { currentBytes: number(currentText) } : {}),
  };
}

/** `pod` is "namespace/pod/container" (as a PodConnection names it). Never throws. */
export async function readContainerMemory(
  pod: string,
  target: KubectlTarget,
  options: KubectlOptions = {},
): Promise<ContainerMemory> {
  const [namespace, name, container] = pod.split('/');
  if (!namespace || !name || !container) return { source: 'unknown' };
  try {
    const result = await execIn(
      { ...target, namespace, pod: name },
      container,
      ['sh', '-c', CGROUP_MEMORY_SCRIPT],
      { timeoutMs: 15_000, ...options },
    );
    return result.exitCode === 0 ? parseCgroupMemory(result.stdout) : { source: 'unknown' };
  } catch {
    return { source: 'unknown' };
  }
}
