// The leak verdict on a container's history: the engine's own trend analysis (src/core/leak), run
// within segments (a restart or an OOM kill drops memory; a trend across that drop means nothing),
// then said in one sentence with the rate per day and the time left to the container's limit.
import { analyzeTrendDetail, DEFAULT_THRESHOLDS, formatBytes } from '../leak';
import type { MemorySample } from '../types';
import type { PromEvent, PromSeries, PromVerdict } from '../../shared/prometheusTypes';
import { segmentBounds } from './events';

const MINUTES_PER_DAY = 1440;

function valuesByTime(series: PromSeries | undefined): Map<number, number> {
  return new Map(series?.points ?? []);
}

/** The history on the step grid as MemorySamples; `heapUsedBytes` carries the basis series. */
export function toSamples(
  series: PromSeries[],
  basis: 'heapUsed' | 'workingSet',
  start: number,
  end: number,
): MemorySample[] {
  const find = (name: string) => series.find((s) => s.name === name);
  const base = find(basis);
  if (!base) return [];
  const rss = valuesByTime(find('rss') ?? find('processRss'));
  const heapTotal = valuesByTime(find('heapTotal'));
  const external = valuesByTime(find('external'));
  const samples: MemorySample[] = [];
  for (const [t, v] of base.points) {
    if (t < start || t > end) continue;
    samples.push({
      timeMs: t * 1000,
      heapUsedBytes: v,
      heapTotalBytes: heapTotal.get(t) ?? 0,
      rssBytes: rss.get(t) ?? 0,
      externalBytes: basis === 'heapUsed' ? (external.get(t) ?? 0) : 0,
      arrayBuffersBytes: 0,
    });
  }
  return samples;
}

/**
 * Each reading against the one a day before it, over a series that spans more than a day: the median
 * difference (bytes) and the share of readings that are higher; undefined when the series is shorter
 * or too sparse to pair readings.
 */
export function dayOverDayRise(
  samples: MemorySample[],
): { medianBytes: number; risingShare: number } | undefined {
  const dayMs = 86_400_000;
  if (samples.length < 8 || samples[samples.length - 1].timeMs - samples[0].timeMs < dayMs * 1.25)
    return undefined;
  const stepMs = (samples[samples.length - 1].timeMs - samples[0].timeMs) / (samples.length - 1);
  const diffs: number[] = [];
  let j = 0;
  for (const sample of samples) {
    const want = sample.timeMs - dayMs;
    if (want < samples[0].timeMs) continue;
    while (j + 1 < samples.length && samples[j + 1].timeMs <= want) j++;
    if (Math.abs(samples[j].timeMs - want) > 2 * stepMs) continue;
    diffs.push(sample.heapUsedBytes - samples[j].heapUsedBytes);
  }
  if (diffs.length < 8) return undefined;
  diffs.sort((a, b) => a - b);
  const mid = diffs.length >> 1;
  return {
    medianBytes: diffs.length % 2 ? diffs[mid] : (diffs[mid - 1] + diffs[mid]) / 2,
    risingShare: diffs.filter((d) => d > 0).length / diffs.length,
  };
}

/** Segments at least this long are judged on their daily floor (see dailyFloor). */
export const DAILY_FLOOR_MIN_SPAN_SECONDS = 3 * 86_400;

/**
 * The trailing 24-hour minimum of the basis (and external) series. Over days, the cycles that are not
 * leaks are daily (traffic, nightly jobs, a cache flushed once a day); a floor over a window longer than
 * the cycle is flat for them and still rises at the leak's rate for a leak. Only the first day is lost.
 */
export function dailyFloor(samples: MemorySample[]): MemorySample[] {
  if (samples.length === 0) return samples;
  const windowMs = 86_400_000;
  const firstMs = samples[0].timeMs;
  const minOf = (field: 'heapUsedBytes' | 'externalBytes') => {
    const deque: number[] = []; // indexes with increasing values
    const out: number[] = new Array<number>(samples.length);
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i][field];
      while (deque.length && samples[deque[deque.length - 1]][field] >= v) deque.pop();
      deque.push(i);
      while (samples[deque[0]].timeMs <= samples[i].timeMs - windowMs) deque.shift();
      out[i] = samples[deque[0]][field];
    }
    return out;
  };
  const heap = minOf('heapUsedBytes');
  const external = minOf('externalBytes');
  const result: MemorySample[] = [];
  for (let i = 0; i < samples.length; i++) {
    if (samples[i].timeMs < firstMs + windowMs) continue;
    result.push({ ...samples[i], heapUsedBytes: heap[i], externalBytes: external[i] });
  }
  return result;
}

function dateLabel(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

function durationLabel(days: number): string {
  if (days >= 2) return `~${Math.round(days)} days`;
  const hours = days * 24;
  if (hours >= 2) return `~${Math.round(hours)} hours`;
  return `~${Math.max(1, Math.round(hours * 60))} minutes`;
}

function lastIn(series: PromSeries | undefined, start: number, end: number): number | undefined {
  if (!series) return undefined;
  for (let i = series.points.length - 1; i >= 0; i--) {
    const [t, v] = series.points[i];
    if (t <= end && t >= start) return v;
  }
  return undefined;
}

const STARTED_BY_WORDS: Record<PromEvent['kind'], string> = {
  'pod-change': 'the deploy',
  restart: 'the restart',
  'oom-kill': 'the OOM kill',
};

export function judgeHistory(
  series: PromSeries[],
  events: PromEvent[],
  start: number,
  end: number,
  stepSeconds: number,
): PromVerdict {
  const heapUsed = series.find((s) => s.name === 'heapUsed');
  const basis: 'heapUsed' | 'workingSet' | undefined =
    heapUsed && heapUsed.points.length >= 8
      ? 'heapUsed'
      : series.some((s) => s.name === 'workingSet' && s.points.length > 0)
        ? 'workingSet'
        : undefined;
  const noGrowth = { heapBytesPerMinute: 0, externalBytesPerMinute: 0, confidence: 0 };
  const segments = segmentBounds(events, start, end, stepSeconds);
  if (!basis) {
    return {
      verdict: 'inconclusive',
      growth: noGrowth,
      reason:
        'No memory series for this container in the window (neither container_memory_working_set_bytes nor nodejs_heap_size_used_bytes).',
      summary: 'no memory data for this container in the window',
      basis: 'none',
      bytesPerDay: 0,
      segments: segments.length,
    };
  }
  const basisLabel =
    basis === 'heapUsed'
      ? 'Node heap used (nodejs_heap_size_used_bytes)'
      : 'container working set (container_memory_working_set_bytes)';
  const analysed = segments.map((seg) => {
    const raw = toSamples(series, basis, seg.start, seg.end);
    const daily = seg.end - seg.start >= DAILY_FLOOR_MIN_SPAN_SECONDS;
    const samples = daily ? dailyFloor(raw) : raw;
    return {
      seg,
      samples,
      daily,
      detail: samples.length >= 8 ? analyzeTrendDetail({ samples, gcEvents: [] }) : undefined,
    };
  });
  const totalSpan = Math.max(1, end - start);
  const substantial = analysed.filter(
    (a) => a.detail && a.seg.end - a.seg.start >= Math.min(0.2 * totalSpan, 6 * 3600),
  );
  const chosen =
    substantial[substantial.length - 1] ??
    [...analysed].filter((a) => a.detail).sort((a, b) => b.samples.length - a.samples.length)[0];
  if (!chosen?.detail) {
    return {
      verdict: 'inconclusive',
      growth: noGrowth,
      reason: `Too few points of the ${basisLabel} between restarts to judge a trend.`,
      summary: 'too little history between restarts to judge',
      basis,
      bytesPerDay: 0,
      segments: segments.length,
    };
  }
  const { heap, external } = chosen.detail;
  const floorWords = chosen.daily ? ' (trailing 24 h minimum)' : '';
  let verdict = chosen.detail.verdict.verdict;
  const leakingExternal = external.call === 'rising' && heap.call !== 'rising';
  const bytesPerMinute = leakingExternal ? external.bytesPerMinute : heap.bytesPerMinute;
  const bytesPerDay = Math.round(bytesPerMinute * MINUTES_PER_DAY);
  // Between one and three days the daily floor is not available, and a daily cycle's rising half can
  // read as a trend (or its falling half hide a leak). The same hours a day apart tell them apart: a
  // leak is higher by its daily rate, a cycle is level. Where the two readings disagree, neither is
  // promised.
  let cycleNote = '';
  const dayApart = chosen.daily || leakingExternal ? undefined : dayOverDayRise(chosen.samples);
  if (dayApart) {
    const spanDays = Math.max(1, (chosen.seg.end - chosen.seg.start) / 86_400);
    const minPerDay =
      Math.max(
        DEFAULT_THRESHOLDS.minTotalGrowthBytes,
        DEFAULT_THRESHOLDS.minTotalGrowthFraction * heap.floorBytes,
      ) / spanDays;
    if (verdict === 'leak' && dayApart.medianBytes < minPerDay) {
      verdict = 'inconclusive';
      cycleNote =
        `; but the same hours a day apart differ by only ${formatBytes(dayApart.medianBytes)}: ` +
        `a daily cycle is as likely as a leak (judge 3 days or more)`;
    } else if (verdict === 'no-leak' && dayApart.medianBytes >= minPerDay && dayApart.risingShare >= 0.8) {
      verdict = 'inconclusive';
      cycleNote =
        `; but the same hours a day apart are ${formatBytes(dayApart.medianBytes)} higher: ` +
        `a leak may hide under a daily cycle (judge 3 days or more)`;
    }
  }
  const limitSeries = series.find((s) => s.name === 'limit');
  const limitBytes = lastIn(limitSeries, chosen.seg.start, chosen.seg.end) ?? lastIn(limitSeries, start, end);
  const current =
    lastIn(
      series.find((s) => s.name === 'workingSet'),
      chosen.seg.start,
      chosen.seg.end,
    ) ?? heap.lastFloorBytes;
  const since = chosen.seg.startedBy
    ? `since ${STARTED_BY_WORDS[chosen.seg.startedBy]} on ${dateLabel(chosen.seg.start)}`
    : `since the window's start on ${dateLabel(chosen.seg.start)}`;
  const ooms = events.filter((e) => e.kind === 'oom-kill').length;
  const restarts = segments.length - 1;
  const history = [
    ooms ? `${ooms} OOM kill${ooms > 1 ? 's' : ''}` : '',
    restarts
      ? `${restarts} restart${restarts > 1 ? 's' : ''}/new pod${restarts > 1 ? 's' : ''} split the history into ${segments.length} segments`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
  let summary: string;
  let daysToLimit: number | undefined;
  if (verdict === 'leak') {
    summary = `growing ${formatBytes(bytesPerDay)}/day ${since}`;
    if (limitBytes && bytesPerDay > 0 && current !== undefined) {
      daysToLimit = Math.max(0, (limitBytes - current) / bytesPerDay);
      summary +=
        current >= limitBytes
          ? `; it is at its ${formatBytes(limitBytes)} limit`
          : `; at this rate it reaches its ${formatBytes(limitBytes)} limit in ${durationLabel(daysToLimit)}`;
    }
  } else if (verdict === 'no-leak') {
    summary = `no leak: the ${basis === 'heapUsed' ? 'Node heap' : 'working set'} floor stays flat ${since}`;
  } else {
    summary = `inconclusive ${since}`;
  }
  if (history) summary += ` (${history})`;
  const result: PromVerdict = {
    verdict,
    growth: { ...chosen.detail.verdict.growth },
    reason: `Judged on the ${basisLabel}${floorWords}, ${chosen.seg.startedBy ? 'within the latest segment after a restart' : 'over the whole window'}: ${
      basis === 'workingSet'
        ? chosen.detail.verdict.reason.replace(/JS heap post-GC floor/g, 'working-set floor')
        : chosen.detail.verdict.reason
    }${cycleNote}`,
    summary,
    basis,
    bytesPerDay,
    segment: {
      start: chosen.seg.start,
      end: chosen.seg.end,
      ...(chosen.seg.startedBy ? { startedBy: chosen.seg.startedBy } : {}),
    },
    segments: segments.length,
  };
  if (limitBytes) result.limitBytes = limitBytes;
  // Two decimals (~15 minutes): the faces derive hours and minutes from it and must agree with the summary.
  if (daysToLimit !== undefined) result.daysToLimit = Math.round(daysToLimit * 100) / 100;
  return result;
}
