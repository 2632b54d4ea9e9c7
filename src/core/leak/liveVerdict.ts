// The verdict shown while observing. The trend analysis (trend.ts) answers "what does this window
// say?"; a window of 25 s that covers a cache warming up says "rising", and nothing in those 25 s
// can tell it from a leak. So a leak is shown only once the rise is sustained over a span that a
// warm-up is unlikely to last (minLeakSpanMs), and still rising at its newest end at a rate close
// to the window's (not levelling off); a no-leak only over a span long enough to mean something.
// Until then the verdict is `inconclusive`, with a reason that says what it is waiting for. A new
// verdict must hold for holdMs before it replaces the shown one, so one noisy reading cannot flip
// it. Every change is kept (verdictHistory). See docs/leak-method.md, "The live verdict".
import type { TrendVerdict, Verdict, VerdictChange } from '../types';
import { buildFloor, type FloorPoint } from './floor';
import { mad, mannKendall, median, theilSen } from './stats';
import { analyzeTrendDetail, formatBytes, type SeriesTrend, type TrendInput } from './trend';

export interface LiveVerdictOptions {
  /** A leak is not called on less floor data than this, ms. */
  minLeakSpanMs: number;
  /** A no-leak is not called on less floor data than this, ms. */
  minNoLeakSpanMs: number;
  /** The newest part of the window that must still rise: this fraction of the span... */
  recentFraction: number;
  /** ...and at least this long, ms. */
  minRecentMs: number;
  /** The newest part's slope must reach this fraction of the slope of the part before it. */
  minRecentSlopeRatio: number;
  /** One-sided Mann–Kendall p-value under which the newest part counts as still rising. */
  pRecent: number;
  /** A rise counts as levelled off when its newest part falls short of its pace by this many σ. */
  levelledNoiseFactor: number;
  /** ...or, against the pace just before it, once the newest part is this long, ms. */
  minLevelledMs: number;
  /** Once a leak is shown, it stays while the newest part rises at this fraction of the earlier slope... */
  keepRecentSlopeRatio: number;
  /** ...with this p-value. Looser than the call, so that noise cannot make a leak blink. */
  keepPRecent: number;
  /** A fall of the floor larger than this fraction of the window's rise means the rise is not sustained. */
  maxDropFraction: number;
  /** A different verdict is shown once the gate has given it for this long... */
  holdMs: number;
  /** ...in at least this share of the readings of that time (one noisy reading does not reset it). */
  holdShare: number;
  /** A shown leak or no-leak gives way only after this long: a verdict that blinks teaches nothing. */
  releaseMs: number;
  /** Confidence never exceeds this: the corpus cannot vouch for more (docs/leak-method.md). */
  maxConfidence: number;
  /** Changes kept in the history; beyond, the oldest go (the first one stays). */
  maxHistory: number;
}

export const DEFAULT_LIVE_OPTIONS: LiveVerdictOptions = {
  minLeakSpanMs: 50_000,
  minNoLeakSpanMs: 30_000,
  recentFraction: 1 / 3,
  minRecentMs: 15_000,
  minRecentSlopeRatio: 0.6,
  pRecent: 0.1,
  levelledNoiseFactor: 4,
  minLevelledMs: 30_000,
  keepRecentSlopeRatio: 0.2,
  keepPRecent: 0.35,
  maxDropFraction: 0.5,
  holdMs: 4_000,
  holdShare: 0.75,
  releaseMs: 15_000,
  maxConfidence: 0.99,
  maxHistory: 500,
};

/** The gate's reading of one window: the verdict it would show now, before the hold. */
export interface GatedVerdict {
  verdict: TrendVerdict;
  /** The trend analysis' own verdict for the window, before the gate. */
  raw: TrendVerdict;
}

const MS_PER_MINUTE = 60_000;

function rate(bytesPerMinute: number): string {
  return `${formatBytes(bytesPerMinute)}/min`;
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}

interface SustainedRise {
  /** Empty when the rise qualifies; else why not, as a sentence. */
  problem?: string;
  /** 1 − p of the weaker of the whole-window and newest-part tests. */
  confidence: number;
  recentSlope: number;
  recentMs: number;
  spanMs: number;
}

/**
 * Is this rising floor a sustained rise? Long enough, not interrupted by a fall as large as half
 * of what it rose (a saw-tooth with a long period), and its newest part still rising at about the
 * rate of the part before it: a warm-up decelerates (a cache filling up, tables built lazily), so
 * its newest part rises slower than what came before, or not at all; a leak keeps its pace.
 */
function sustainedRise(
  series: SeriesTrend,
  points: readonly FloorPoint[],
  spanMs: number,
  o: LiveVerdictOptions,
  keeping: boolean,
): SustainedRise {
  const label = series.field === 'external' ? 'Off-heap memory' : 'Heap floor';
  const recentMs = Math.max(o.minRecentMs, spanMs * o.recentFraction);
  const base = { confidence: 0, recentSlope: 0, recentMs, spanMs };
  if (!keeping && spanMs < o.minLeakSpanMs) {
    return {
      ...base,
      problem:
        `${label} rising ${rate(series.bytesPerMinute)} for ${seconds(spanMs)} s; waiting to see ` +
        `whether it levels off (a leak is called after ${seconds(o.minLeakSpanMs)} s of steady rise).`,
    };
  }
  const endMs = points[points.length - 1].timeMs;
  const t0 = points[0].timeMs;
  const minutes = (p: FloorPoint): number => (p.timeMs - t0) / MS_PER_MINUTE;
  const slopeOf = (part: readonly FloorPoint[]): number =>
    theilSen(
      part.map(minutes),
      part.map((p) => p.bytes),
    ).slope;

  // The largest fall from an earlier high, in the newest two thirds (the first third may hold
  // start-up garbage that a first full collection clears). Measured between the medians of six
  // segments, so that one bucket without a collection in it (a spike) is not taken for a high,
  // and beyond what the floor's own noise explains (three σ, from its successive differences).
  const rise = Math.max(0, series.bytesPerMinute) * (spanMs / MS_PER_MINUTE);
  const steps: number[] = [];
  for (let i = 1; i < points.length; i++) steps.push(points[i].bytes - points[i - 1].bytes);
  const noise = steps.length >= 4 ? (3 * mad(steps)) / Math.SQRT2 : 0;
  const tail = points.filter((p) => p.timeMs >= endMs - (2 / 3) * spanMs);
  const segments = Math.min(6, Math.floor(tail.length / 2));
  let peak = -Infinity;
  let drop = 0;
  for (let k = 0; k < segments; k++) {
    const from = Math.floor((k * tail.length) / segments);
    const to = Math.floor(((k + 1) * tail.length) / segments);
    const level = median(tail.slice(from, to).map((p) => p.bytes));
    peak = Math.max(peak, level);
    drop = Math.max(drop, peak - level);
  }
  if (drop > o.maxDropFraction * rise + noise) {
    return {
      ...base,
      problem:
        `${label} rose ${rate(series.bytesPerMinute)} over ${seconds(spanMs)} s but fell by ` +
        `${formatBytes(drop)} on the way; waiting to see whether the rise is sustained.`,
    };
  }

  const recent = points.filter((p) => p.timeMs >= endMs - recentMs);
  const earlier = points.filter((p) => p.timeMs < endMs - recentMs);
  const earlierSlope = earlier.length >= 4 ? slopeOf(earlier) : series.bytesPerMinute;
  const recentSlope = recent.length >= 4 ? slopeOf(recent) : 0;
  const pRecent = recent.length >= 4 ? mannKendall(recent.map((p) => p.bytes)).pIncreasing : 1;
  const ratio = keeping ? o.keepRecentSlopeRatio : o.minRecentSlopeRatio;
  const pMax = keeping ? o.keepPRecent : o.pRecent;
  if (!(recentSlope > 0 && recentSlope >= ratio * earlierSlope && pRecent < pMax)) {
    return {
      ...base,
      recentSlope,
      problem:
        `${label} rose ${rate(Math.max(0, earlierSlope))}, but its newest ${seconds(recentMs)} s rise ` +
        `${rate(Math.max(0, recentSlope))}; waiting to see whether it levels off.`,
    };
  }
  return {
    ...base,
    recentSlope,
    confidence: Math.min(1 - series.pIncreasing, 1 - pRecent),
  };
}

function inconclusive(raw: TrendVerdict, reason: string): TrendVerdict {
  return { verdict: 'inconclusive', growth: { ...raw.growth, confidence: 0 }, reason };
}

/**
 * The verdict to show for this window, before the hold: a leak only on a sustained rise, a
 * no-leak only over minNoLeakSpanMs, `inconclusive` with the reason otherwise. `shown` is the
 * verdict shown now: a shown leak is kept on looser terms than it was called. Pure.
 */
export function gateVerdict(
  input: TrendInput,
  options: Partial<LiveVerdictOptions> = {},
  shown?: Verdict,
): GatedVerdict {
  const o = { ...DEFAULT_LIVE_OPTIONS, ...options };
  const detail = analyzeTrendDetail(input);
  const raw = detail.verdict;
  const rising = [detail.heap, detail.external].filter(
    (s) => s.risesOverWindow && (s.call === 'rising' || s.call === 'unclear'),
  );
  if (rising.length > 0) {
    const heapLabel = detail.heap.field === 'rss' ? 'RSS (no heap figures)' : 'JS heap post-GC floor';
    const reasons: string[] = [];
    const problems: string[] = [];
    let confidence = 0;
    let minutesToHeapLimit: number | undefined;
    for (const series of rising) {
      const floor = buildFloor(input.samples, input.gcEvents ?? [], series.field);
      const rise = sustainedRise(series, floor.points, floor.spanMs, o, shown === 'leak');
      if (rise.problem) {
        problems.push(rise.problem);
        continue;
      }
      confidence = Math.max(confidence, rise.confidence);
      reasons.push(
        `${series.field === 'external' ? 'off-heap memory (Buffers/ArrayBuffers)' : heapLabel} rises ` +
          `${rate(series.bytesPerMinute)} over ${seconds(rise.spanMs)} s and still rises over the newest ` +
          `${seconds(rise.recentMs)} s (${rate(rise.recentSlope)})` +
          (series.byHorizon
            ? ', small for this heap but fast enough to reach its limit within the horizon'
            : ''),
      );
      const limit = input.heapLimitBytes ?? input.samples[input.samples.length - 1]?.heapLimitBytes;
      if (series.field === 'heap' && limit && series.bytesPerMinute > 0)
        minutesToHeapLimit = Math.max(0, (limit - series.lastFloorBytes) / series.bytesPerMinute);
    }
    if (reasons.length === 0) return { raw, verdict: inconclusive(raw, problems[0]) };
    const verdict: TrendVerdict = {
      verdict: 'leak',
      growth: { ...raw.growth, confidence: round3(Math.min(o.maxConfidence, confidence)) },
      reason: capitalise(reasons.join('; ')) + '.',
    };
    if (minutesToHeapLimit !== undefined)
      verdict.minutesToHeapLimit = Math.round(minutesToHeapLimit * 10) / 10;
    return { raw, verdict };
  }
  if (raw.verdict === 'no-leak') {
    const spanMs = detail.heap.spanMs;
    if (spanMs < o.minNoLeakSpanMs) {
      return {
        raw,
        verdict: inconclusive(
          raw,
          `Floor flat for ${seconds(spanMs)} s so far; a no-leak call needs ${seconds(o.minNoLeakSpanMs)} s.`,
        ),
      };
    }
    // Once no-leak is shown, a warm-up's plateau only grows longer: the clear-stop test is for the call.
    for (const series of shown === 'no-leak' ? [] : [detail.heap, detail.external]) {
      if (series.call !== 'warm-up') continue;
      const floor = buildFloor(input.samples, input.gcEvents ?? [], series.field);
      const waiting = stillLevelling(series, floor.points, floor.spanMs, o);
      if (waiting) return { raw, verdict: inconclusive(raw, waiting) };
    }
    const confidence = round3(Math.min(o.maxConfidence, raw.growth.confidence));
    return { raw, verdict: { ...raw, growth: { ...raw.growth, confidence } } };
  }
  return { raw, verdict: inconclusive(raw, raw.reason) };
}

/**
 * A rise that stopped is a warm-up only when the stop is clear: over the newest part of the window
 * the floor stays short of where the earlier rise's pace would have taken it, by more than
 * levelledNoiseFactor × the earlier part's own scatter about its line. A slow leak under churn
 * climbs in steps, and one step's flat top falls short of its pace by less than a step; a filled
 * cache falls short by many times its noise. A cache that fills along a curve is measured against
 * the pace just before the newest part (where the curve is nearly straight) once that part is
 * long (minLevelledMs), longer than the flat top of a step. Returns why the no-leak call waits.
 */
function stillLevelling(
  series: SeriesTrend,
  points: readonly FloorPoint[],
  spanMs: number,
  o: LiveVerdictOptions,
): string | undefined {
  const recentMs = Math.max(o.minRecentMs, spanMs * o.recentFraction);
  const endMs = points[points.length - 1]?.timeMs ?? 0;
  const recent = points.filter((p) => p.timeMs >= endMs - recentMs);
  const before = points.filter((p) => p.timeMs < endMs - recentMs);
  if (recent.length < 3 || before.length < 4) return undefined;
  const t0 = points[0].timeMs;
  const minutes = (p: FloorPoint): number => (p.timeMs - t0) / MS_PER_MINUTE;
  const recentSlope = theilSen(
    recent.map(minutes),
    recent.map((p) => p.bytes),
  ).slope;
  const fallsShort = (reference: readonly FloorPoint[]): boolean => {
    const fit = theilSen(
      reference.map(minutes),
      reference.map((p) => p.bytes),
    );
    if (fit.slope <= 0) return true;
    const scatter = mad(reference.map((p) => p.bytes - (fit.intercept + fit.slope * minutes(p))));
    return (fit.slope - recentSlope) * (recentMs / MS_PER_MINUTE) > o.levelledNoiseFactor * scatter;
  };
  const startMs = before[0].timeMs;
  const justBefore = before.filter((p) => p.timeMs >= (startMs + endMs - recentMs) / 2);
  if (fallsShort(before)) return undefined;
  if (recentMs >= o.minLevelledMs && justBefore.length >= 4 && fallsShort(justBefore)) return undefined;
  const pace = theilSen(
    before.map(minutes),
    before.map((p) => p.bytes),
  ).slope;
  return (
    `${series.field === 'external' ? 'Off-heap memory' : 'Heap floor'} rose ${rate(pace)}, then held for ` +
    `the newest ${seconds(recentMs)} s; waiting to see whether it stays there.`
  );
}

/**
 * Tracks the verdict shown while a session observes: feed it the window after each reading, show
 * what it returns. Keeps every change (atSeconds from `startedAtMs`).
 */
export class LiveVerdict {
  private readonly options: LiveVerdictOptions;
  private shown: TrendVerdict | undefined;
  private shownSinceMs = 0;
  /** The gate's recent verdicts (the last holdMs), for the hold. */
  private recent: Array<{ timeMs: number; verdict: Verdict }> = [];
  private readonly changes: VerdictChange[] = [];

  constructor(options: Partial<LiveVerdictOptions> = {}) {
    this.options = { ...DEFAULT_LIVE_OPTIONS, ...options };
  }

  /** The verdict shown now (undefined before the first reading). */
  get current(): TrendVerdict | undefined {
    return this.shown;
  }

  /** Every change of the shown verdict, oldest first. */
  get history(): readonly VerdictChange[] {
    return this.changes;
  }

  /** How long the shown verdict has been shown at `nowMs` (sample time), ms. */
  heldMs(nowMs: number): number {
    return this.shown ? Math.max(0, nowMs - this.shownSinceMs) : 0;
  }

  /**
   * Re-reads the window whose newest reading is at `nowMs` (defaults to the newest sample's time)
   * and returns the verdict to show. `startedAtMs` is the origin of the history's atSeconds.
   */
  update(
    input: TrendInput,
    startedAtMs: number,
    nowMs: number = input.samples[input.samples.length - 1]?.timeMs ?? startedAtMs,
  ): TrendVerdict {
    const next = gateVerdict(input, this.options, this.shown?.verdict).verdict;
    this.recent.push({ timeMs: nowMs, verdict: next.verdict });
    const decided = this.shown !== undefined && this.shown.verdict !== 'inconclusive';
    const since = nowMs - (decided ? this.options.releaseMs : this.options.holdMs);
    const keepSince = nowMs - Math.max(this.options.holdMs, this.options.releaseMs);
    while (this.recent.length > 1 && this.recent[1].timeMs <= keepSince) this.recent.shift();
    if (!this.shown) {
      this.show(next, nowMs, startedAtMs);
    } else if (next.verdict === this.shown.verdict) {
      // Same verdict: its figures and reason follow the data.
      this.shown = next;
    } else if (this.held(next.verdict, since)) {
      this.show(next, nowMs, startedAtMs);
    }
    return this.shown ?? next;
  }

  /** Has the gate given `verdict` over the whole hold time, in enough of its readings? */
  private held(verdict: Verdict, since: number): boolean {
    // Only readings taken while the current verdict was shown count against it.
    if (this.recent[0].timeMs > since || this.shownSinceMs > since) return false;
    const inHold = this.recent.filter((r) => r.timeMs >= since);
    const agreeing = inHold.filter((r) => r.verdict === verdict).length;
    return agreeing >= this.options.holdShare * inHold.length;
  }

  private show(verdict: TrendVerdict, nowMs: number, startedAtMs: number): void {
    this.shown = verdict;
    this.shownSinceMs = nowMs;
    this.changes.push({
      atSeconds: Math.max(0, Math.round((nowMs - startedAtMs) / 100) / 10),
      verdict: verdict.verdict,
      confidence: verdict.growth.confidence,
      reason: verdict.reason,
    });
    if (this.changes.length > this.options.maxHistory) this.changes.splice(1, 1);
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
