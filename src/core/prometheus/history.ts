// A container's memory history: every planned query over the window (chunked and stitched), the
// events read from the counters, and the verdict. A missing optional metric (no kube-state-metrics, no
// prom-client) is a warning, not a failure; auth, network and timeout errors fail the whole call with
// their HeapscopeError, which the faces show without touching a live session.
import { HeapscopeError, isHeapscopeError } from '../errors';
import type { PromContainerRef, PromHistory } from '../../shared/prometheusTypes';
import { assembleHistory } from './assemble';
import type { PromClient } from './client';
import { requestGate, type RequestGate } from './limiter';
import { planQueries, workloadPattern, type QueryPlanOptions, type SeriesQuery } from './queries';
import { alignWindow, chooseStep, queryRange, type StitchedSeries } from './range';

export interface HistoryOptions extends QueryPlanOptions {
  /** Unix seconds. */
  start: number;
  end: number;
  /** Seconds; default from the window and widthPoints. */
  stepSeconds?: number;
  /** Points the chart can show (one per pixel column or so). Default 1200. */
  widthPoints?: number;
  /** Finest step ever chosen automatically (the scrape interval). Default 15 s. */
  minStepSeconds?: number;
  /** Points per request; the server's limit is 11,000. */
  maxPointsPerRequest?: number;
  /** Requests in flight at once. Default 6. */
  concurrency?: number;
  /** A gate shared with other work (e.g. a scan's); replaces `concurrency`. */
  gate?: RequestGate;
  signal?: AbortSignal;
}

/** `ns/pod/container` → a reference; a generated pod name joins its workload's pods unless exactPod. */
export function parseContainerSpec(spec: string, exactPod = false): PromContainerRef {
  const parts = spec.split('/');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) {
    throw new HeapscopeError('usage', `--container wants <namespace>/<pod>/<container> (got "${spec}").`);
  }
  const [namespace, pod, container] = parts;
  const w = exactPod ? undefined : workloadPattern(pod);
  return w ? { namespace, pod, container, podPattern: w.pattern } : { namespace, pod, container };
}

/** A window like 90s, 30m, 6h, 7d, 2w → seconds. */
export function parseWindow(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new HeapscopeError('usage', `Window "${text}" is not like 30m, 6h, 7d or 2w.`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  const seconds = Number(m[1]) * unit;
  if (seconds < 60) throw new HeapscopeError('usage', `Window "${text}" is shorter than a minute.`);
  return seconds;
}

/** A time: Unix seconds, an RFC 3339 date, or "now". */
export function parseTime(text: string): number {
  if (text === 'now') return Math.floor(Date.now() / 1000);
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new HeapscopeError('usage', `Time "${text}" is neither Unix seconds nor an RFC 3339 date.`);
  return Math.floor(ms / 1000);
}

function isOptionalFailure(error: unknown): boolean {
  return isHeapscopeError(error, 'prometheus-query');
}

export async function fetchHistory(
  client: PromClient,
  ref: PromContainerRef,
  options: HistoryOptions,
): Promise<PromHistory> {
  if (!(options.end > options.start)) throw new HeapscopeError('usage', 'The window ends before it starts.');
  const step =
    options.stepSeconds ??
    chooseStep(options.end - options.start, options.widthPoints, options.minStepSeconds);
  const { start, end } = alignWindow(options.start, options.end, step);
  const plan = planQueries(ref, step, options);
  const limit = options.gate ?? requestGate(options.concurrency ?? 6);
  const requestsBefore = client.requests;
  const warnings: string[] = [];
  const results = await Promise.all(
    plan.map(async (query): Promise<[SeriesQuery, StitchedSeries[]]> => {
      try {
        const stitched = await queryRange(client, query.promql, start, end, step, {
          maxPoints: options.maxPointsPerRequest,
          concurrency: 8,
          signal: options.signal,
          limit,
        });
        return [query, stitched];
      } catch (error) {
        if (!isOptionalFailure(error)) throw error;
        warnings.push(`${query.name}: ${(error as Error).message}`);
        return [query, []];
      }
    }),
  );
  const { series, events, verdict, replicas } = assembleHistory(results, start, end, step, warnings);
  return {
    endpoint: client.displayUrl,
    container: ref,
    start,
    end,
    stepSeconds: step,
    series,
    events,
    verdict,
    replicas,
    requests: client.requests - requestsBefore,
    warnings,
  };
}
