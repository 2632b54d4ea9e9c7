// query_range over long windows: a step chosen from the window and the chart width, and windows that
// would pass Prometheus's 11,000-points-per-series limit split into chunks on one grid and stitched.
// Every chunk evaluates at start + k*step of the same grid and the next chunk begins one step after
// the previous one ends, so the seams have neither gaps nor duplicates.
import type { PromClient, PromMatrixSeries } from './client';

/** Prometheus refuses query_range answers above this many points per series. */
export const MAX_POINTS_PER_SERIES = 11_000;

/** Steps people read easily (seconds). */
const NICE_STEPS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** The smallest nice step that draws the window in about `widthPoints` points, never below `minStepSeconds`. */
export function chooseStep(windowSeconds: number, widthPoints = 1200, minStepSeconds = 15): number {
  const raw = Math.max(minStepSeconds, windowSeconds / Math.max(1, widthPoints));
  for (const step of NICE_STEPS) if (step >= raw) return step;
  return Math.ceil(raw / 86400) * 86400;
}

export interface RangeChunk {
  start: number;
  end: number;
}

/** The grid of a window: start and end rounded down to multiples of the step (Unix seconds). */
export function alignWindow(start: number, end: number, step: number): RangeChunk {
  return { start: Math.floor(start / step) * step, end: Math.floor(end / step) * step };
}

/** Chunks covering [start, end] on the step grid, each at most maxPoints points, seams one step apart. */
export function splitRange(
  start: number,
  end: number,
  step: number,
  maxPoints = MAX_POINTS_PER_SERIES,
): RangeChunk[] {
  const chunks: RangeChunk[] = [];
  const span = (maxPoints - 1) * step;
  for (let s = start; s <= end; s += span + step) chunks.push({ start: s, end: Math.min(end, s + span) });
  return chunks;
}

/** A series' identity: its labels, sorted. */
export function seriesKey(metric: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(metric)
      .sort()
      .map((k) => [k, metric[k]]),
  );
}

export interface StitchedSeries {
  metric: Record<string, string>;
  /** [unixSeconds, value], strictly increasing times. */
  points: Array<[number, number]>;
}

/** Joins the chunks' matrices per series; chunk order does not matter, overlaps are dropped. */
export function stitch(chunks: PromMatrixSeries[][]): StitchedSeries[] {
  const byKey = new Map<string, StitchedSeries>();
  for (const matrix of chunks) {
    for (const series of matrix) {
      const key = seriesKey(series.metric);
      let entry = byKey.get(key);
      if (!entry) byKey.set(key, (entry = { metric: series.metric, points: [] }));
      for (const [t, v] of series.values) entry.points.push([t, Number(v)]);
    }
  }
  for (const entry of byKey.values()) {
    entry.points.sort((a, b) => a[0] - b[0]);
    let w = 0;
    for (let r = 0; r < entry.points.length; r++) {
      if (w > 0 && entry.points[w - 1][0] === entry.points[r][0]) continue;
      entry.points[w++] = entry.points[r];
    }
    entry.points.length = w;
  }
  return [...byKey.values()];
}

export interface RangeQueryOptions {
  maxPoints?: number;
  /** Chunks in flight at once. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Shared gate for requests in flight across several queries. */
  limit?: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** query_range over any window: split, fetched a few at a time, stitched. */
export async function queryRange(
  client: PromClient,
  promql: string,
  start: number,
  end: number,
  step: number,
  options: RangeQueryOptions = {},
): Promise<StitchedSeries[]> {
  const chunks = splitRange(start, end, step, options.maxPoints);
  const results: PromMatrixSeries[][] = new Array<PromMatrixSeries[]>(chunks.length);
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const i = next++;
      const call = () =>
        client.api<{ resultType: string; result: PromMatrixSeries[] }>(
          'api/v1/query_range',
          [
            ['query', promql],
            ['start', String(chunks[i].start)],
            ['end', String(chunks[i].end)],
            ['step', String(step)],
          ],
          options.signal,
        );
      const data = options.limit ? await options.limit(call) : await call();
      results[i] = data.resultType === 'matrix' ? data.result : [];
    }
  };
  const workers = Array.from({ length: Math.min(chunks.length, options.concurrency ?? 4) }, worker);
  await Promise.all(workers);
  return stitch(results);
}
