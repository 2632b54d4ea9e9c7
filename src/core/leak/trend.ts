// The leak verdict: is the post-GC floor of the heap (or of off-heap memory) rising steadily, and is
// it still rising at the end of the window? See docs/leak-method.md for the method and its reasons.
import type { GcEvent, MemorySample, TrendVerdict, Verdict } from '../types';
import { buildFloor, countUsable, type FloorPoint, type SeriesField } from './floor';
import { horizonRateBytesPerMinute } from './horizon';
import { mannKendall, median, theilSen } from './stats';
import { unwatchedSamples } from './unwatched';

export interface TrendInput {
  samples: readonly MemorySample[];
  /** GC events pushed by the target; may be empty or absent (Prometheus histories). */
  gcEvents?: readonly GcEvent[];
  heapLimitBytes?: number;
  /** The container's memory limit (pods), when known. */
  memoryLimitBytes?: number;
  /** A rise that reaches the limit within this many minutes is fast enough to be a leak (default 24 h). */
  horizonMinutes?: number;
}

/** Tunables of the verdict; the defaults are the measured ones (bench/accuracy). */
export interface TrendThresholds {
  /** Growth over the whole window below this is never a leak (absolute), bytes. */
  minTotalGrowthBytes: number;
  /** ... nor below this fraction of the floor over the whole window. */
  minTotalGrowthFraction: number;
  /** One-sided Mann–Kendall p-value under which the whole window counts as rising. */
  pLeak: number;
  /** p-value under which the late part still counts as rising. */
  pLate: number;
  /** Fraction of the window (newest part) checked for saturation. */
  lateFraction: number;
  /** Fewer floor points than this: inconclusive. */
  minPoints: number;
  /** A window shorter than this: inconclusive, ms. */
  minSpanMs: number;
}

export const DEFAULT_THRESHOLDS: TrendThresholds = {
  minTotalGrowthBytes: 1024 * 1024,
  minTotalGrowthFraction: 0.05,
  pLeak: 0.01,
  pLate: 0.1,
  lateFraction: 0.4,
  minPoints: 8,
  minSpanMs: 20_000,
};

type SeriesCall = 'rising' | 'flat' | 'warm-up' | 'unclear' | 'too-short' | 'no-data';

/** The analysis of one series (heap floor or external floor). */
export interface SeriesTrend {
  field: SeriesField;
  call: SeriesCall;
  bytesPerMinute: number;
  /** 0..1 for the call made. */
  confidence: number;
  /** Growth below this rate is not a leak for this window, bytes/minute. */
  minRateBytesPerMinute: number;
  /** The rate threshold was lowered to the rate that reaches the limit within the horizon. */
  byHorizon: boolean;
  floorBytes: number;
  lastFloorBytes: number;
  points: number;
  spanMs: number;
  detail: string;
  /** The whole window rises significantly (whatever its newest part does). */
  risesOverWindow: boolean;
  /** One-sided Mann–Kendall p-value of a rise over the whole window (1 when not tested). */
  pIncreasing: number;
}

const MS_PER_MINUTE = 60_000;

/** What scales a series' threshold, when not its own floor. */
interface SeriesScale {
  /** The proportional threshold is this fraction of these bytes (default: the series' own floor). */
  scaleBytes?: number;
  /** Rate that reaches the limit within the horizon (horizon.ts), bytes/minute. */
  horizonRate?: (lastFloorBytes: number) => number | undefined;
}

function analyzeSeries(
  points: FloorPoint[],
  spanMs: number,
  field: SeriesField,
  t: TrendThresholds,
  scale: SeriesScale = {},
): SeriesTrend {
  const base = {
    field,
    bytesPerMinute: 0,
    confidence: 0,
    minRateBytesPerMinute: 0,
    byHorizon: false,
    floorBytes: points.length ? median(points.map((p) => p.bytes)) : 0,
    lastFloorBytes: points.length ? points[points.length - 1].bytes : 0,
    points: points.length,
    spanMs,
    risesOverWindow: false,
    pIncreasing: 1,
  };
  if (points.length === 0) return { ...base, call: 'no-data', detail: 'no data' };
  if (points.length < t.minPoints || spanMs < t.minSpanMs) {
    return {
      ...base,
      call: 'too-short',
      detail: `only ${Math.round(spanMs / 1000)} s / ${points.length} points`,
    };
  }
  const t0 = points[0].timeMs;
  const xs = points.map((p) => (p.timeMs - t0) / MS_PER_MINUTE);
  const ys = points.map((p) => p.bytes);
  const spanMinutes = Math.max(xs[xs.length - 1], 1e-9);
  // The proportional threshold, lowered to the headroom's rate when that is smaller (horizon.ts),
  // never below the absolute floor that the floor's noise calls for.
  const proportional =
    Math.max(t.minTotalGrowthBytes, t.minTotalGrowthFraction * (scale.scaleBytes ?? base.floorBytes)) /
    spanMinutes;
  const absolute = t.minTotalGrowthBytes / spanMinutes;
  const horizonRate = scale.horizonRate?.(base.lastFloorBytes);
  const byHorizon = horizonRate !== undefined && horizonRate < proportional;
  const minRate = byHorizon ? Math.max(absolute, horizonRate) : proportional;
  const all = theilSen(xs, ys);
  const mkAll = mannKendall(ys);
  const lateCount = Math.max(6, Math.round(points.length * t.lateFraction));
  const lateXs = xs.slice(-lateCount);
  const lateYs = ys.slice(-lateCount);
  const late = theilSen(lateXs, lateYs);
  const mkLate = mannKendall(lateYs);
  // Is the slope below minRate? Test the series with the threshold trend removed for a decrease.
  const detrended = ys.map((y, i) => y - minRate * xs[i]);
  const mkBelow = mannKendall(detrended);
  const lateDetrended = lateYs.map((y, i) => y - minRate * lateXs[i]);
  const mkLateBelow = mannKendall(lateDetrended);

  const growing = all.slope >= minRate && mkAll.pIncreasing < t.pLeak && all.lower > 0;
  const result = {
    ...base,
    bytesPerMinute: all.slope,
    minRateBytesPerMinute: minRate,
    byHorizon,
    risesOverWindow: growing,
    pIncreasing: mkAll.pIncreasing,
  };
  const lateGrowing = late.slope >= minRate * 0.5 && mkLate.pIncreasing < t.pLate;
  const fmt = (r: number): string => `${formatBytes(r)}/min`;
  if (growing && lateGrowing) {
    return {
      ...result,
      call: 'rising',
      confidence: Math.min(1 - mkAll.pIncreasing, 1 - mkLate.pIncreasing),
      detail: `floor rises ${fmt(all.slope)} and still rises at the end (${fmt(late.slope)})`,
    };
  }
  if (growing) {
    // Rose, then stopped: a cache filling to its bound, a heap built at start-up, a one-off step.
    if (late.slope < minRate * 0.5) {
      return {
        ...result,
        bytesPerMinute: Math.max(0, late.slope),
        call: 'warm-up',
        confidence: 1 - mkLateBelow.pDecreasing,
        detail: `floor rose ${fmt(all.slope)} but levelled off (${fmt(late.slope)} in the last part)`,
      };
    }
    return {
      ...result,
      call: 'unclear',
      confidence: 1 - mkAll.pIncreasing,
      detail: `floor rises ${fmt(all.slope)} but not steadily at the end`,
    };
  }
  if (
    all.upper < minRate ||
    mkBelow.pDecreasing < 0.05 ||
    (late.slope < minRate * 0.5 && mkLateBelow.pDecreasing < 0.05)
  ) {
    return {
      ...result,
      call: 'flat',
      confidence: Math.max(1 - mkBelow.pDecreasing, 1 - mkLateBelow.pDecreasing),
      detail: `floor flat (${fmt(all.slope)}, threshold ${fmt(minRate)})`,
    };
  }
  return {
    ...result,
    call: 'unclear',
    confidence: 1 - Math.min(mkAll.pIncreasing, mkBelow.pDecreasing),
    detail:
      all.slope >= minRate
        ? `floor may rise ${fmt(all.slope)} but the trend is not significant yet`
        : `floor rises ${fmt(all.slope)}, below the ${fmt(minRate)} this window can tell apart; watch longer`,
  };
}

export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 1024 * 1024 * 1024) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (abs >= 1024 * 1024) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${Math.round(bytes)} B`;
}

/** Both series analysed; exposed for tests and for faces that want the detail. */
export function analyzeTrendDetail(
  input: TrendInput,
  thresholds: Partial<TrendThresholds> = {},
): { verdict: TrendVerdict; heap: SeriesTrend; external: SeriesTrend; unwatched?: SeriesTrend } {
  const t = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const samples = input.samples;
  const gcEvents = input.gcEvents ?? [];
  // Prometheus histories may carry only rss-like figures: fall back to rss for the "heap" series.
  const heapField: SeriesField =
    countUsable(samples, 'heap') >= Math.max(1, countUsable(samples, 'rss') / 2) || gcEvents.length > 0
      ? 'heap'
      : 'rss';
  const heapLimitBytes = input.heapLimitBytes ?? lastDefined(samples, (s) => s.heapLimitBytes);
  const horizonMinutes = input.horizonMinutes;
  // The JS heap is bounded by heap_size_limit and, in a pod, by the container; RSS and off-heap
  // memory only by the container.
  const heapScale: SeriesScale = {
    horizonRate: (last) =>
      horizonRateBytesPerMinute(last, {
        heapLimitBytes: heapField === 'heap' ? heapLimitBytes : undefined,
        memoryLimitBytes: input.memoryLimitBytes,
        horizonMinutes,
      }),
  };
  const containerScale: SeriesScale = {
    horizonRate: (last) =>
      horizonRateBytesPerMinute(last, { memoryLimitBytes: input.memoryLimitBytes, horizonMinutes }),
  };
  const heapFloor = buildFloor(samples, gcEvents, heapField);
  const externalFloor = buildFloor(samples, gcEvents, 'external');
  const heap = analyzeSeries(heapFloor.points, heapFloor.spanMs, heapField, t, heapScale);
  const external = analyzeSeries(externalFloor.points, externalFloor.spanMs, 'external', t, containerScale);
  // RSS beyond the committed heap and the growth of `external` (unwatched.ts), held to a threshold
  // proportional to heap and unwatched memory together (a large heap's own bookkeeping outside it
  // grows by a few MB while it settles), and to the container's limit only: the heap limit does
  // not bound memory outside the heap.
  // Two readings of it: a rise above RSS's own noise (UNWATCHED_MIN_GROWTH_BYTES) says memory grows
  // outside what is watched; a smaller steady rise only withholds a no-leak until it levels off.
  let unwatched: SeriesTrend | undefined;
  let unwatchedEarly: SeriesTrend | undefined;
  if (heapField === 'heap') {
    const rest = buildFloor(unwatchedSamples(samples), gcEvents, 'rss');
    if (rest.points.length > 0) {
      const restScale: SeriesScale = {
        scaleBytes: heap.floorBytes + median(rest.points.map((p) => p.bytes)),
        horizonRate: containerScale.horizonRate,
      };
      unwatched = analyzeSeries(rest.points, rest.spanMs, 'rss', unwatchedThresholds(t), restScale);
      unwatchedEarly = analyzeSeries(rest.points, rest.spanMs, 'rss', t, restScale);
    }
  }

  let verdict: Verdict;
  let confidence: number;
  const reasons: string[] = [];
  const heapLabel = heapField === 'rss' ? 'RSS (no heap figures)' : 'JS heap';
  if (heap.call === 'rising' || external.call === 'rising') {
    verdict = 'leak';
    confidence = Math.max(
      heap.call === 'rising' ? heap.confidence : 0,
      external.call === 'rising' ? external.confidence : 0,
    );
    if (heap.call === 'rising') reasons.push(`${heapLabel} post-GC ${heap.detail}${horizonNote(heap)}`);
    if (external.call === 'rising')
      reasons.push(`off-heap memory (Buffers/ArrayBuffers) ${external.detail}${horizonNote(external)}`);
  } else if (heap.call === 'flat' || heap.call === 'warm-up') {
    const externalSettled =
      external.call === 'flat' || external.call === 'warm-up' || external.call === 'no-data';
    // While the heap itself warmed up in the window, RSS beyond it follows with a lag (heap pages
    // becoming resident, allocator arenas, code compiled for the new paths) and cannot be told apart
    // from memory growing elsewhere: the guard reads RSS only beside a heap that stayed flat.
    const heapFlat = heap.call === 'flat';
    if (externalSettled && heapFlat && unwatched?.call === 'rising') {
      verdict = 'inconclusive';
      confidence = 0;
      reasons.push(
        `RSS rises ${formatBytes(unwatched.bytesPerMinute)}/min beyond the JS heap and Buffers, ` +
          `whose floors are flat: memory grows outside what is watched (look at native addons, ` +
          `worker threads that are not observed, code space)`,
        `${heapLabel} post-GC ${heap.detail}`,
      );
    } else if (externalSettled && heapFlat && unwatchedEarly?.call === 'rising') {
      verdict = 'inconclusive';
      confidence = 0;
      reasons.push(
        `RSS rises ${formatBytes(unwatchedEarly.bytesPerMinute)}/min beyond the JS heap and Buffers; ` +
          `waiting to see whether it levels off before calling the heap's flatness a no-leak`,
        `${heapLabel} post-GC ${heap.detail}`,
      );
    } else if (externalSettled) {
      verdict = 'no-leak';
      confidence =
        external.call === 'no-data' ? heap.confidence : Math.min(heap.confidence, external.confidence);
      reasons.push(`${heapLabel} post-GC ${heap.detail}`);
      if (external.call !== 'no-data') reasons.push(`off-heap ${external.detail}`);
    } else {
      verdict = 'inconclusive';
      confidence = 1 - external.confidence;
      reasons.push(`${heapLabel} post-GC ${heap.detail}`, `off-heap ${external.detail}`);
    }
  } else {
    verdict = 'inconclusive';
    confidence = heap.call === 'unclear' ? 1 - heap.confidence : 0;
    reasons.push(
      heap.call === 'too-short'
        ? `not enough data yet (${heap.detail})`
        : `${heapLabel} post-GC ${heap.detail}`,
    );
  }
  confidence = Math.max(0, Math.min(1, confidence));

  let minutesToHeapLimit: number | undefined;
  if (
    verdict === 'leak' &&
    heap.call === 'rising' &&
    heapField === 'heap' &&
    heapLimitBytes &&
    heap.bytesPerMinute > 0
  ) {
    minutesToHeapLimit = Math.max(0, (heapLimitBytes - heap.lastFloorBytes) / heap.bytesPerMinute);
  }
  const verdictOut: TrendVerdict = {
    verdict,
    growth: {
      heapBytesPerMinute: round(heap.bytesPerMinute),
      externalBytesPerMinute: round(external.bytesPerMinute),
      confidence: Math.round(confidence * 1000) / 1000,
    },
    reason: capitalise(reasons.join('; ')) + '.',
  };
  if (minutesToHeapLimit !== undefined)
    verdictOut.minutesToHeapLimit = Math.round(minutesToHeapLimit * 10) / 10;
  return { verdict: verdictOut, heap, external, ...(unwatched ? { unwatched } : {}) };
}

/**
 * RSS moves for reasons that are not a leak: heap pages becoming resident as a heap that grew is
 * touched, allocator arenas, code space after optimisation. A few MiB over a short window is that
 * noise; memory that leaks outside the watched figures shows more.
 */
const UNWATCHED_MIN_GROWTH_BYTES = 8 * 1024 * 1024;

function unwatchedThresholds(t: TrendThresholds): TrendThresholds {
  return { ...t, minTotalGrowthBytes: Math.max(t.minTotalGrowthBytes, UNWATCHED_MIN_GROWTH_BYTES) };
}

/** Why a rise below the proportional threshold still counts. */
function horizonNote(series: SeriesTrend): string {
  return series.byHorizon
    ? ` (small for this heap, but fast enough to reach the limit within the horizon)`
    : '';
}

function round(value: number): number {
  return Number.isFinite(value) ? Math.round(value) : 0;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function lastDefined<T>(
  items: readonly MemorySample[],
  get: (s: MemorySample) => T | undefined,
): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const value = get(items[i]);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/** Verdict from the trend of the post-GC floor. Pure; cheap enough to call once a second. */
export function analyzeTrend(input: TrendInput): TrendVerdict {
  return analyzeTrendDetail(input).verdict;
}
