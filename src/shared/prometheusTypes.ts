// Container history pulled from Prometheus, as the engine returns it and as it crosses to the faces
// (CLI JSON, extension, webview). Plain JSON only. Times are Unix seconds, as Prometheus gives them.
import type { Growth, Verdict } from '../core/types';

/** What a series measures, so faces format it (bytes, seconds of GC per second, a count). */
export type PromSeriesUnit = 'bytes' | 'seconds/second' | 'count';

/** One queried series, already joined per container across pod names and request chunks. */
export interface PromSeries {
  /** Stable id: 'workingSet', 'rss', 'usage', 'cache', 'limit', 'heapUsed', ... or 'custom:<name>'. */
  name: string;
  /** The PromQL that produced it, exactly as sent. */
  promql: string;
  unit: PromSeriesUnit;
  /** [unixSeconds, value], oldest first, one per step at most. */
  points: Array<[number, number]>;
}

export type PromEventKind = 'restart' | 'oom-kill' | 'pod-change';

/** A restart, an OOM kill or a new pod name of the same workload: splits the history into segments. */
export interface PromEvent {
  kind: PromEventKind;
  /** Unix seconds (to within one step). */
  time: number;
  pod: string;
  /** e.g. 'container_oom_events_total +1' — which series showed it. */
  source: string;
}

/** The container the history belongs to. */
export interface PromContainerRef {
  namespace: string;
  /** The pod as chosen (or the workload name). */
  pod: string;
  container: string;
  /** Pod-name pattern the queries matched (regex), when pods of one workload were joined. */
  podPattern?: string;
}

/** The leak verdict computed on the history, within segments (restarts split it). */
export interface PromVerdict {
  verdict: Verdict;
  growth: Growth;
  reason: string;
  /** One sentence: "growing 38 MB/day since the deploy on …; at this rate it reaches its 512 MiB limit in ~3 days". */
  summary: string;
  /** Which series the verdict was computed on. */
  basis: 'heapUsed' | 'workingSet' | 'none';
  bytesPerDay: number;
  limitBytes?: number;
  /** Estimated days until the container limit at this rate, when growing and a limit is known. */
  daysToLimit?: number;
  /** Segment the verdict is about (Unix seconds), and how many segments the history has. */
  segment?: { start: number; end: number; startedBy?: PromEventKind };
  segments: number;
}

/** Everything a face needs to draw and judge a container's history. */
export interface PromHistory {
  /** Base URL of the endpoint (never credentials). */
  endpoint: string;
  container: PromContainerRef;
  /** Unix seconds. */
  start: number;
  end: number;
  stepSeconds: number;
  series: PromSeries[];
  events: PromEvent[];
  verdict: PromVerdict;
  /** Working set per pod name ('pod:<name>'), oldest pod first: replicas and the pods a restart replaced. */
  replicas?: PromSeries[];
  /** HTTP requests the history took (query_range chunks included). */
  requests: number;
  /** Queries that failed without failing the whole history (e.g. no kube-state-metrics). */
  warnings: string[];
}

/** An endpoint as stored in settings (`heapscope.prometheus.endpoints`): never a secret. */
export interface PromEndpointSetting {
  name: string;
  url: string;
  auth: 'none' | 'bearer' | 'basic';
  /** Basic auth user name (not a secret); the password lives in SecretStorage. */
  user?: string;
  /** Names of extra headers; their values live in SecretStorage (they often carry tenant tokens). */
  headerNames?: string[];
  /** Verify TLS certificates (default true). */
  verifyTls?: boolean;
  /** Path to a PEM file with an extra CA. */
  caFile?: string;
}

/** A saved custom series (`heapscope.prometheus.customSeries`). `$selector` expands to the container. */
export interface PromCustomSeriesSetting {
  name: string;
  promql: string;
  unit?: PromSeriesUnit;
}

/** The series in the shape of the webview's overlay (protocol PrometheusSeries): [timeMs, value]. */
export function historyOverlaySeries(
  history: PromHistory,
): Array<{ label: string; points: Array<[number, number]> }> {
  return history.series
    .filter((s) => s.unit === 'bytes')
    .map((s) => ({
      label: `${s.name}: ${s.promql}`,
      points: s.points.map(([t, v]) => [t * 1000, v] as [number, number]),
    }));
}
