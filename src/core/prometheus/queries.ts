// The PromQL Heapscope sends for one container. Every query is plain text shown to the user and can
// be replaced (override by name) or extended (custom series). `$selector` in a template expands to the
// container's label matchers, `$rate` to a rate window that fits the step.
import type { PromContainerRef, PromSeriesUnit } from '../../shared/prometheusTypes';

export interface SeriesQuery {
  name: string;
  promql: string;
  unit: PromSeriesUnit;
  /** What it is, for people. */
  title: string;
  /** Drawn as a line and judged; false for the event series (counters read for their increments). */
  chart: boolean;
}

/** Characters Kubernetes allows in names are [a-z0-9.-]; '.' is the only regex metacharacter among them. */
function regexLiteral(name: string): string {
  return name.replace(/\./g, '[.]');
}

function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

// Kubernetes' random suffixes use this alphabet (k8s.io/apimachinery/pkg/util/rand, no vowels).
const K8S_RAND = '[bcdfghjklmnpqrstvwxz2456789]';

/**
 * The pod-name pattern of the workload a pod belongs to, so that its history survives new pod names
 * (a Deployment rollout or a rescheduled pod): `api-7d9f8b6c5-x2kqz` → `api-<hash>-<5>`. StatefulSet
 * pods (`db-0`) keep their names and match exactly. undefined when the name has no generated suffix.
 */
export function workloadPattern(pod: string): { workload: string; pattern: string } | undefined {
  const deployment = /^(.+)-([bcdfghjklmnpqrstvwxz2456789]{6,10})-([bcdfghjklmnpqrstvwxz2456789]{5})$/.exec(
    pod,
  );
  if (deployment) {
    return {
      workload: deployment[1],
      pattern: `${regexLiteral(deployment[1])}-${K8S_RAND}{6,10}-${K8S_RAND}{5}`,
    };
  }
  const generated = /^(.+)-([bcdfghjklmnpqrstvwxz2456789]{5})$/.exec(pod);
  if (generated) {
    return { workload: generated[1], pattern: `${regexLiteral(generated[1])}-${K8S_RAND}{5}` };
  }
  return undefined;
}

/** Label matchers of the container: `namespace="ns", pod=~"...", container="app"`. */
export function containerSelector(ref: PromContainerRef, withContainer = true): string {
  const pod = ref.podPattern ? `pod=~${promString(ref.podPattern)}` : `pod=${promString(ref.pod)}`;
  const parts = [`namespace=${promString(ref.namespace)}`, pod];
  if (withContainer) parts.push(`container=${promString(ref.container)}`);
  return parts.join(', ');
}

/** A window for rate(): at least four 15 s scrapes, and never shorter than the step (no blind spots). */
export function rateWindowSeconds(stepSeconds: number): number {
  return Math.max(60, stepSeconds);
}

export function expandTemplate(template: string, ref: PromContainerRef, stepSeconds: number): string {
  return template
    .replace(/\$selector_pod\b/g, containerSelector(ref, false))
    .replace(/\$selector\b/g, containerSelector(ref))
    .replace(/\$rate\b/g, `${rateWindowSeconds(stepSeconds)}s`);
}

/**
 * The default series. Several pods of one workload at once (replicas, a rollout) are folded with
 * max(): the line shows the highest replica at each step, and a new pod name continues the line.
 * prom-client's nodejs_* metrics carry the pod but not always the container label, hence $selector_pod.
 */
export const DEFAULT_TEMPLATES: ReadonlyArray<Omit<SeriesQuery, 'promql'> & { template: string }> = [
  {
    name: 'workingSet',
    title: 'Working set (what the OOM killer sees)',
    unit: 'bytes',
    chart: true,
    template: 'max(container_memory_working_set_bytes{$selector})',
  },
  {
    name: 'rss',
    title: 'RSS (container)',
    unit: 'bytes',
    chart: true,
    template: 'max(container_memory_rss{$selector})',
  },
  {
    name: 'usage',
    title: 'Usage (incl. page cache)',
    unit: 'bytes',
    chart: true,
    template: 'max(container_memory_usage_bytes{$selector})',
  },
  {
    name: 'cache',
    title: 'Page cache',
    unit: 'bytes',
    chart: true,
    template: 'max(container_memory_cache{$selector})',
  },
  {
    name: 'limit',
    title: 'Memory limit',
    unit: 'bytes',
    chart: true,
    template:
      'max(kube_pod_container_resource_limits{$selector, resource="memory"}) or max(container_spec_memory_limit_bytes{$selector} > 0)',
  },
  {
    name: 'heapUsed',
    title: 'Node heap used',
    unit: 'bytes',
    chart: true,
    template: 'max(nodejs_heap_size_used_bytes{$selector_pod})',
  },
  {
    name: 'heapTotal',
    title: 'Node heap total',
    unit: 'bytes',
    chart: true,
    template: 'max(nodejs_heap_size_total_bytes{$selector_pod})',
  },
  {
    name: 'external',
    title: 'Node external memory',
    unit: 'bytes',
    chart: true,
    template: 'max(nodejs_external_memory_bytes{$selector_pod})',
  },
  {
    name: 'processRss',
    title: 'Process RSS (prom-client)',
    unit: 'bytes',
    chart: true,
    template: 'max(process_resident_memory_bytes{$selector_pod})',
  },
  {
    name: 'gcSeconds',
    title: 'GC time per second (rate of nodejs_gc_duration_seconds)',
    unit: 'seconds/second',
    chart: true,
    template: 'max(sum by (pod) (rate(nodejs_gc_duration_seconds_sum{$selector_pod}[$rate])))',
  },
  // Event series: counters and state gauges read per pod for their steps up (exact, no double count
  // from overlapping increase() windows).
  {
    name: 'restarts',
    title: 'Container restarts (counter)',
    unit: 'count',
    chart: false,
    template: 'max by (pod) (kube_pod_container_status_restarts_total{$selector})',
  },
  {
    name: 'oomEvents',
    title: 'OOM events (cAdvisor counter)',
    unit: 'count',
    chart: false,
    template: 'max by (pod) (container_oom_events_total{$selector})',
  },
  {
    name: 'oomReason',
    title: 'Last termination reason OOMKilled (kube-state-metrics)',
    unit: 'count',
    chart: false,
    template:
      'max by (pod) (kube_pod_container_status_last_terminated_reason{$selector, reason="OOMKilled"})',
  },
  {
    name: 'pods',
    title: 'Pods of the container over time',
    unit: 'bytes',
    chart: false,
    template: 'max by (pod) (container_memory_working_set_bytes{$selector})',
  },
];

export interface QueryPlanOptions {
  /** Replace a default query's PromQL by name (templates allowed). */
  overrides?: Record<string, string>;
  /** Extra series (templates allowed). */
  custom?: Array<{ name: string; promql: string; unit?: PromSeriesUnit }>;
}

/** The queries for one container at one step, as they will be sent. */
export function planQueries(
  ref: PromContainerRef,
  stepSeconds: number,
  options: QueryPlanOptions = {},
): SeriesQuery[] {
  const plan: SeriesQuery[] = DEFAULT_TEMPLATES.map((d) => ({
    name: d.name,
    title: d.title,
    unit: d.unit,
    chart: d.chart,
    promql: expandTemplate(options.overrides?.[d.name] ?? d.template, ref, stepSeconds),
  }));
  for (const c of options.custom ?? []) {
    plan.push({
      name: `custom:${c.name}`,
      title: c.name,
      unit: c.unit ?? 'bytes',
      chart: true,
      promql: expandTemplate(c.promql, ref, stepSeconds),
    });
  }
  return plan;
}
