// The namespace scan: every container of a namespace judged over a window, in a handful of requests.
// One query per metric covers many pods at once (`max by (pod, container)`), batched so that an answer
// stays well under the client's byte cap and every series under the server's 11,000 points; the
// answers are split per container in memory, pods of one workload joined as a single container's
// history is (see workloadPattern), and each container is judged by the same code as that history.
import { HeapscopeError, isHeapscopeError } from '../errors';
import type { FleetContainer, FleetScan } from '../../shared/fleetTypes';
import type { PromContainerRef } from '../../shared/prometheusTypes';
import { assembleHistory } from './assemble';
import type { PromClient } from './client';
import { requestGate } from './limiter';
import { planQueries, workloadPattern, type SeriesQuery } from './queries';
import { alignWindow, chooseStep, MAX_POINTS_PER_SERIES, queryRange, type StitchedSeries } from './range';
import { rankContainers, worstVerdict } from './rank';
import { parseLabelSelector } from './selector';

export interface FleetScanOptions {
  namespace: string;
  /** Extra label matchers (see parseLabelSelector). */
  selector?: string;
  /** Unix seconds. */
  start: number;
  end: number;
  /** Default: from the window and widthPoints, as a single container's history chooses it. */
  stepSeconds?: number;
  widthPoints?: number;
  minStepSeconds?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Points (all series) one answer may carry; ~26 bytes each in Prometheus's JSON. Default 400,000. */
  maxPointsPerResponse?: number;
  /**
   * Series (pods × containers) one request may ask for. Default 100: a request's time grows with its
   * series, and many small requests through the gate finish within the per-request timeout where one
   * request for a whole namespace would not.
   */
  maxSeriesPerRequest?: number;
  /** Points per series per request; the server's limit is 11,000. */
  maxPointsPerRequest?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; total: number }) => void;
}

export const DEFAULT_SCAN_CONCURRENCY = 4;
export const DEFAULT_MAX_POINTS_PER_RESPONSE = 400_000;
export const DEFAULT_MAX_SERIES_PER_REQUEST = 100;

const q = (value: string): string => JSON.stringify(value);
const regexLiteral = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Group {
  key: string;
  workload: string;
  container: string;
  pattern?: string;
  pods: Set<string>;
}

interface ScanQuery {
  name: string;
  /** Answers per (pod, container); false: per pod (prom-client's metrics carry no container label). */
  perContainer: boolean;
  /** Without its answer there is nothing to judge: its failure fails the scan. */
  required: boolean;
  promql(podMatchers: string, containerMatchers: string): string;
}

const REAL_CONTAINER = 'container!="", container!="POD"';

const SCAN_QUERIES: ScanQuery[] = [
  {
    name: 'workingSet',
    perContainer: true,
    required: true,
    promql: (_p, c) =>
      `max by (pod, container) (container_memory_working_set_bytes{${c}, ${REAL_CONTAINER}})`,
  },
  {
    name: 'limit',
    perContainer: true,
    required: false,
    promql: (_p, c) =>
      `max by (pod, container) (kube_pod_container_resource_limits{${c}, resource="memory"}) or ` +
      `max by (pod, container) (container_spec_memory_limit_bytes{${c}, ${REAL_CONTAINER}} > 0)`,
  },
  {
    name: 'heapUsed',
    perContainer: false,
    required: false,
    promql: (p) => `max by (pod) (nodejs_heap_size_used_bytes{${p}})`,
  },
  {
    name: 'heapTotal',
    perContainer: false,
    required: false,
    promql: (p) => `max by (pod) (nodejs_heap_size_total_bytes{${p}})`,
  },
  {
    name: 'external',
    perContainer: false,
    required: false,
    promql: (p) => `max by (pod) (nodejs_external_memory_bytes{${p}})`,
  },
  {
    name: 'restarts',
    perContainer: true,
    required: false,
    promql: (_p, c) => `max by (pod, container) (kube_pod_container_status_restarts_total{${c}})`,
  },
  {
    name: 'oomEvents',
    perContainer: true,
    required: false,
    promql: (_p, c) => `max by (pod, container) (container_oom_events_total{${c}})`,
  },
  {
    name: 'oomReason',
    perContainer: true,
    required: false,
    promql: (_p, c) =>
      `max by (pod, container) (kube_pod_container_status_last_terminated_reason{${c}, reason="OOMKilled"})`,
  },
];

/** The containers (pod, container) that had a working set in the window. */
async function discover(
  client: PromClient,
  namespace: string,
  selector: string,
  start: number,
  end: number,
  signal: AbortSignal | undefined,
): Promise<Array<{ pod: string; container: string }>> {
  const matchers = [`namespace=${q(namespace)}`, selector, REAL_CONTAINER].filter(Boolean).join(', ');
  const series = await client.api<Array<Record<string, string>>>(
    'api/v1/series',
    [
      ['match[]', `container_memory_working_set_bytes{${matchers}}`],
      ['start', String(start)],
      ['end', String(end)],
    ],
    signal,
  );
  if (!Array.isArray(series))
    throw new HeapscopeError(
      'prometheus-query',
      'Prometheus answered the series request with something else than a list.',
    );
  const seen = new Map<string, { pod: string; container: string }>();
  for (const s of series) {
    if (!s || typeof s.pod !== 'string' || typeof s.container !== 'string' || !s.pod || !s.container)
      continue;
    seen.set(`${s.pod}\u0000${s.container}`, { pod: s.pod, container: s.container });
  }
  return [...seen.values()];
}

function groupContainers(found: Array<{ pod: string; container: string }>): Group[] {
  const groups = new Map<string, Group>();
  for (const { pod, container } of found) {
    const w = workloadPattern(pod);
    const key = `${w ? `w:${w.workload}` : `p:${pod}`}\u0000${container}`;
    let group = groups.get(key);
    if (!group) {
      group = { key, workload: w?.workload ?? pod, container, pods: new Set() };
      if (w) group.pattern = w.pattern;
      groups.set(key, group);
    }
    group.pods.add(pod);
  }
  return [...groups.values()];
}

/** Pods in batches whose answers fit the point budget; a workload's pods stay in one batch. */
function batchPods(groups: Group[], maxSeries: number): string[][] {
  const byWorkload = new Map<string, { pods: Set<string>; series: number }>();
  for (const g of groups) {
    const key = g.pattern ? `w:${g.workload}` : `p:${g.workload}`;
    const entry = byWorkload.get(key) ?? { pods: new Set<string>(), series: 0 };
    for (const pod of g.pods) entry.pods.add(pod);
    entry.series += g.pods.size;
    byWorkload.set(key, entry);
  }
  const batches: string[][] = [];
  let current: string[] = [];
  let currentSeries = 0;
  for (const key of [...byWorkload.keys()].sort()) {
    const entry = byWorkload.get(key)!;
    if (current.length > 0 && currentSeries + entry.series > maxSeries) {
      batches.push(current);
      current = [];
      currentSeries = 0;
    }
    current.push(...[...entry.pods].sort());
    currentSeries += entry.series;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The per-step maximum of several series (what max() over the pods of a workload gives). */
function foldMax(series: StitchedSeries[]): StitchedSeries[] {
  if (series.length <= 1) return series.map((s) => ({ metric: {}, points: s.points }));
  const byTime = new Map<number, number>();
  for (const s of series)
    for (const [t, v] of s.points) {
      const prev = byTime.get(t);
      if (prev === undefined || v > prev) byTime.set(t, v);
    }
  const points = [...byTime.entries()].sort((a, b) => a[0] - b[0]);
  return [{ metric: {}, points }];
}

export async function scanNamespace(client: PromClient, options: FleetScanOptions): Promise<FleetScan> {
  const { namespace } = options;
  if (!/^[A-Za-z0-9_.-]+$/.test(namespace))
    throw new HeapscopeError('usage', `--namespace wants a Kubernetes namespace name (got "${namespace}").`);
  if (!(options.end > options.start)) throw new HeapscopeError('usage', 'The window ends before it starts.');
  const selector = parseLabelSelector(options.selector);
  const step =
    options.stepSeconds ??
    chooseStep(options.end - options.start, options.widthPoints, options.minStepSeconds);
  const { start, end } = alignWindow(options.start, options.end, step);
  const gate = requestGate(options.concurrency ?? DEFAULT_SCAN_CONCURRENCY);
  const requestsBefore = client.requests;
  const warnings: string[] = [];

  const found = await gate(() => discover(client, namespace, selector, start, end, options.signal));
  if (found.length === 0)
    throw new HeapscopeError(
      'usage',
      `No containers in namespace "${namespace}"${selector ? ` matching ${selector}` : ''} between ` +
        `${new Date(start * 1000).toISOString()} and ${new Date(end * 1000).toISOString()} ` +
        '(no container_memory_working_set_bytes series). Check the namespace, the selector and the window.',
    );
  const groups = groupContainers(found);
  const containersOfPod = new Map<string, Set<string>>();
  for (const { pod, container } of found) {
    const set = containersOfPod.get(pod) ?? new Set<string>();
    set.add(container);
    containersOfPod.set(pod, set);
  }

  const pointsPerSeries = Math.min(
    options.maxPointsPerRequest ?? MAX_POINTS_PER_SERIES,
    Math.floor((end - start) / step) + 1,
  );
  const maxSeries = Math.max(
    1,
    Math.min(
      options.maxSeriesPerRequest ?? DEFAULT_MAX_SERIES_PER_REQUEST,
      Math.floor((options.maxPointsPerResponse ?? DEFAULT_MAX_POINTS_PER_RESPONSE) / pointsPerSeries),
    ),
  );
  const batches = batchPods(groups, maxSeries);
  const total = batches.length * SCAN_QUERIES.length;
  let done = 0;
  options.onProgress?.({ done, total });

  // name → every answered series, across batches.
  const answers = new Map<string, StitchedSeries[]>(SCAN_QUERIES.map((s) => [s.name, []]));
  const failed = new Set<string>();
  // A batch the server cannot answer in time is split in two and asked again (answers are indexed by
  // pod afterwards, so any split is fine); a single pod that still times out fails the scan.
  let splits = 0;
  const ask = async (query: ScanQuery, pods: string[]): Promise<StitchedSeries[]> => {
    const podMatchers = `namespace=${q(namespace)}, pod=~${q(pods.map(regexLiteral).join('|'))}`;
    const containerMatchers = selector ? `${podMatchers}, ${selector}` : podMatchers;
    try {
      return await queryRange(client, query.promql(podMatchers, containerMatchers), start, end, step, {
        maxPoints: options.maxPointsPerRequest,
        concurrency: 8,
        signal: options.signal,
        limit: gate,
      });
    } catch (error) {
      if (!isHeapscopeError(error, 'prometheus-timeout') || pods.length < 2 || options.signal?.aborted)
        throw error;
      splits++;
      const half = Math.ceil(pods.length / 2);
      const [a, b] = await Promise.all([ask(query, pods.slice(0, half)), ask(query, pods.slice(half))]);
      return [...a, ...b];
    }
  };
  await Promise.all(
    batches.flatMap((pods) =>
      SCAN_QUERIES.map(async (query) => {
        try {
          answers.get(query.name)!.push(...(await ask(query, pods)));
        } catch (error) {
          if (query.required || !isHeapscopeError(error, 'prometheus-query')) throw error;
          if (!failed.has(query.name)) warnings.push(`${query.name}: ${(error as Error).message}`);
          failed.add(query.name);
        } finally {
          options.onProgress?.({ done: ++done, total });
        }
      }),
    ),
  );
  if (splits > 0)
    warnings.push(
      `${splits} request${splits > 1 ? 's' : ''} timed out and ${splits > 1 ? 'were' : 'was'} asked again in halves; a longer --timeout or a smaller --concurrency spares the server.`,
    );

  // Answers indexed by pod (and container), so each container takes only its own.
  const index = new Map<string, Map<string, StitchedSeries[]>>();
  for (const query of SCAN_QUERIES) {
    const byKey = new Map<string, StitchedSeries[]>();
    for (const s of answers.get(query.name)!) {
      const key = query.perContainer ? `${s.metric.pod}\u0000${s.metric.container}` : `${s.metric.pod}`;
      byKey.set(key, [...(byKey.get(key) ?? []), s]);
    }
    index.set(query.name, byKey);
  }

  const containers: FleetContainer[] = groups.map((group) => {
    const pods = [...group.pods];
    const ref: PromContainerRef = group.pattern
      ? { namespace, pod: group.workload, container: group.container, podPattern: group.pattern }
      : { namespace, pod: group.workload, container: group.container };
    const plan = new Map(planQueries(ref, step).map((p) => [p.name, p]));
    const seriesOf = (query: ScanQuery): StitchedSeries[] =>
      pods.flatMap((pod) => {
        if (query.perContainer) return index.get(query.name)!.get(`${pod}\u0000${group.container}`) ?? [];
        // A pod-level Node metric is this container's only when the pod has no other container.
        if ((containersOfPod.get(pod)?.size ?? 0) !== 1) return [];
        return (index.get(query.name)!.get(pod) ?? []).map((s) => ({ ...s, metric: { ...s.metric, pod } }));
      });
    const results: Array<[SeriesQuery, StitchedSeries[]]> = [];
    for (const query of SCAN_QUERIES) {
      const planned = plan.get(query.name);
      if (!planned) continue;
      const own = seriesOf(query);
      results.push([planned, planned.chart ? foldMax(own) : own]);
    }
    const perPod = seriesOf(SCAN_QUERIES[0]);
    const podsQuery = plan.get('pods');
    if (podsQuery) results.push([podsQuery, perPod]);
    const assembled = assembleHistory(results, start, end, step, []);
    const firstSeen = new Map(perPod.map((s) => [s.metric.pod ?? '', s.points[0]?.[0] ?? Infinity]));
    pods.sort(
      (a, b) => (firstSeen.get(a) ?? Infinity) - (firstSeen.get(b) ?? Infinity) || a.localeCompare(b),
    );
    return {
      namespace,
      workload: group.workload,
      pods,
      container: group.container,
      ref,
      verdict: assembled.verdict,
      restarts: assembled.events.filter((e) => e.kind === 'restart').length,
      oomKills: assembled.events.filter((e) => e.kind === 'oom-kill').length,
    };
  });
  const ranked = rankContainers(containers);
  const scan: FleetScan = {
    endpoint: client.displayUrl,
    namespace,
    start,
    end,
    stepSeconds: step,
    containers: ranked,
    verdict: worstVerdict(ranked.map((c) => c.verdict.verdict)),
    requests: client.requests - requestsBefore,
    warnings,
  };
  if (selector) scan.selector = selector;
  return scan;
}
