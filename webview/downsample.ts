// Display decimation for the chart. The full series stays in the store (and in the host's recording);
// what is drawn is at most two points per pixel column: the minimum and the maximum of every series
// inside that column, in the order they happened. Unlike averaging or plain striding, a one-second
// spike survives any zoom level (the point of a memory chart), and the line's envelope is exact.

/** Columns of a series store: x (ms since epoch) and one array per series, same length. */
export interface Columns {
  x: ArrayLike<number>;
  ys: ReadonlyArray<ArrayLike<number>>;
  /** Number of valid points (arrays may have spare capacity). */
  length: number;
}

export interface Decimated {
  x: number[];
  ys: number[][];
}

/** First index i with x[i] >= value (x sorted ascending), in [0, length]. */
export function lowerBound(x: ArrayLike<number>, length: number, value: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Min/max decimation of the points with x in [xMin, xMax] (plus one point either side, so lines run
 * to the plot's edges) into `buckets` equal-width columns. With no more points than 2 * buckets the
 * points are returned as they are. Every series gets its min and max per bucket; the bucket emits
 * two x positions (its first and last point's x) and each series puts its extreme that came first at
 * the first position, so rising and falling edges keep their direction.
 */
export function decimateMinMax(columns: Columns, xMin: number, xMax: number, buckets: number): Decimated {
  const { x, ys, length } = columns;
  const from = Math.max(0, lowerBound(x, length, xMin) - 1);
  let end = lowerBound(x, length, xMax);
  while (end < length && x[end]! <= xMax) end++;
  const to = Math.min(length, end + 1); // exclusive: includes one point past xMax
  const count = to - from;
  const out: Decimated = { x: [], ys: ys.map(() => []) };
  if (count <= 0) return out;
  const bucketCount = Math.max(1, Math.floor(buckets));
  if (count <= bucketCount * 2 || !(xMax > xMin)) {
    for (let i = from; i < to; i++) {
      out.x.push(x[i]!);
      for (let s = 0; s < ys.length; s++) out.ys[s]!.push(ys[s]![i]!);
    }
    return out;
  }
  const width = (xMax - xMin) / bucketCount;
  const seriesCount = ys.length;
  const minIdx = new Int32Array(seriesCount);
  const maxIdx = new Int32Array(seriesCount);
  let i = from;
  while (i < to) {
    // The bucket this point falls in; points before xMin / after xMax get their own edge buckets.
    const b = Math.floor((x[i]! - xMin) / width);
    const bucketEnd = xMin + (b + 1) * width;
    const start = i;
    for (let s = 0; s < seriesCount; s++) {
      minIdx[s] = i;
      maxIdx[s] = i;
    }
    i++;
    while (i < to && (x[i]! < bucketEnd || Math.floor((x[i]! - xMin) / width) === b)) {
      for (let s = 0; s < seriesCount; s++) {
        const v = ys[s]![i]!;
        const col = ys[s]!;
        if (v < col[minIdx[s]!]!) minIdx[s] = i;
        if (v > col[maxIdx[s]!]!) maxIdx[s] = i;
      }
      i++;
    }
    const end = i - 1;
    if (end === start) {
      out.x.push(x[start]!);
      for (let s = 0; s < seriesCount; s++) out.ys[s]!.push(ys[s]![start]!);
      continue;
    }
    out.x.push(x[start]!, x[end]!);
    for (let s = 0; s < seriesCount; s++) {
      const col = ys[s]!;
      const lo = minIdx[s]!;
      const hi = maxIdx[s]!;
      const first = lo <= hi ? lo : hi;
      const second = lo <= hi ? hi : lo;
      out.ys[s]!.push(col[first]!, col[second]!);
    }
  }
  return out;
}

/** A decimated window with gaps: a null in every series where the line must not be drawn across. */
export interface GappedDecimated {
  x: number[];
  ys: Array<Array<number | null>>;
}

function part(values: ArrayLike<number>, from: number, to: number): ArrayLike<number> {
  return values instanceof Float64Array
    ? values.subarray(from, to)
    : (Array.prototype.slice.call(values, from, to) as number[]);
}

/**
 * decimateMinMax for a series that changed process at `breakTimesMs` (ascending): each stretch is
 * decimated on its own (a bucket never mixes two processes' readings) with a share of the buckets
 * proportional to its time in the window, and a null row between stretches, so the chart shows a gap
 * rather than a line from the old process's last reading to the new one's first.
 */
export function decimateApart(
  columns: Columns,
  breakTimesMs: readonly number[],
  xMin: number,
  xMax: number,
  buckets: number,
): GappedDecimated {
  const { x, ys, length } = columns;
  if (!breakTimesMs.length) return decimateMinMax(columns, xMin, xMax, buckets);
  const cuts = [0, ...breakTimesMs.map((t) => lowerBound(x, length, t)), length];
  const out: GappedDecimated = { x: [], ys: ys.map(() => []) };
  const span = Math.max(1, xMax - xMin);
  for (let k = 0; k + 1 < cuts.length; k++) {
    const from = cuts[k]!;
    const to = cuts[k + 1]!;
    if (to <= from) continue;
    const first = x[from]!;
    const last = x[to - 1]!;
    // A stretch wholly outside the window adds nothing: the gap keeps it from reaching the edge.
    if (last < xMin || first > xMax) continue;
    const overlap = Math.max(0, Math.min(last, xMax) - Math.max(first, xMin));
    const share = Math.max(1, Math.round((buckets * overlap) / span));
    const d = decimateMinMax(
      { x: part(x, from, to), ys: ys.map((col) => part(col, from, to)), length: to - from },
      xMin,
      xMax,
      share,
    );
    if (!d.x.length) continue;
    if (out.x.length) {
      out.x.push((out.x[out.x.length - 1]! + d.x[0]!) / 2);
      for (const col of out.ys) col.push(null);
    }
    out.x.push(...d.x);
    d.ys.forEach((col, s) => out.ys[s]!.push(...col));
  }
  return out;
}
