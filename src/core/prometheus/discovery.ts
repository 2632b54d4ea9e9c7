// The container picker's data, from the server's own labels: namespaces, then pods (and the
// workloads they belong to), then containers. Restricted to the chosen time range, so that pods gone
// since are still offered for history.
import type { PromClient } from './client';
import { workloadPattern } from './queries';

/** Metrics that name Kubernetes containers: cAdvisor's, or kube-state-metrics' when cAdvisor is absent. */
const CONTAINER_METRICS = [
  'container_memory_working_set_bytes{container!="", container!="POD"}',
  'kube_pod_container_info',
];

export interface TimeRange {
  /** Unix seconds. */
  start: number;
  end: number;
}

function matchers(extra: string): Array<[string, string]> {
  return CONTAINER_METRICS.map((m) => {
    const open = m.indexOf('{');
    const inner = open < 0 ? '' : m.slice(open + 1, -1);
    const name = open < 0 ? m : m.slice(0, open);
    const all = [inner, extra].filter(Boolean).join(', ');
    return ['match[]', `${name}{${all}}`];
  });
}

function rangeParams(range: TimeRange): Array<[string, string]> {
  return [
    ['start', String(range.start)],
    ['end', String(range.end)],
  ];
}

const q = (v: string) => JSON.stringify(v);

export async function listNamespaces(client: PromClient, range: TimeRange): Promise<string[]> {
  const values = await client.api<string[]>('api/v1/label/namespace/values', [
    ...matchers(''),
    ...rangeParams(range),
  ]);
  return [...values].sort();
}

export interface PodChoice {
  /** Pod name as the server knows it, or the workload name when kind is 'workload'. */
  name: string;
  kind: 'pod' | 'workload';
  /** For workloads: the pod-name regex that joins its pods; for pods: their workload's, when known. */
  pattern?: string;
  /** For workloads: the pods seen in the range. */
  pods?: string[];
}

/** Pods seen in the range, plus one entry per workload with more than one pod name (a rollout, a restart). */
export async function listPods(
  client: PromClient,
  namespace: string,
  range: TimeRange,
): Promise<PodChoice[]> {
  const pods = await client.api<string[]>('api/v1/label/pod/values', [
    ...matchers(`namespace=${q(namespace)}`),
    ...rangeParams(range),
  ]);
  const workloads = new Map<string, { pattern: string; pods: string[] }>();
  const choices: PodChoice[] = [];
  for (const pod of [...pods].sort()) {
    const w = workloadPattern(pod);
    choices.push({ name: pod, kind: 'pod', pattern: w?.pattern });
    if (w) {
      const entry = workloads.get(w.workload) ?? { pattern: w.pattern, pods: [] };
      entry.pods.push(pod);
      workloads.set(w.workload, entry);
    }
  }
  const workloadChoices: PodChoice[] = [...workloads.entries()]
    .filter(([, w]) => w.pods.length > 1)
    .map(([name, w]) => ({ name, kind: 'workload', pattern: w.pattern, pods: w.pods }));
  return [...workloadChoices, ...choices];
}

/** Containers of a pod (or of any pod matching a workload pattern) seen in the range. */
export async function listContainers(
  client: PromClient,
  namespace: string,
  pod: { name: string; pattern?: string; exact?: boolean },
  range: TimeRange,
): Promise<string[]> {
  const podMatcher = pod.pattern && !pod.exact ? `pod=~${q(pod.pattern)}` : `pod=${q(pod.name)}`;
  const series = await client.api<Array<Record<string, string>>>('api/v1/series', [
    ...matchers(`namespace=${q(namespace)}, ${podMatcher}`),
    ...rangeParams(range),
  ]);
  const names = new Set<string>();
  for (const s of series) if (s.container && s.container !== 'POD') names.add(s.container);
  return [...names].sort();
}
