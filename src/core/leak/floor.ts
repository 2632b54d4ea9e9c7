// The "floor" of a memory series: what is left after garbage collection. Raw heapUsed saw-tooths
// (it climbs with garbage between collections), so its slope says more about allocation rate and GC
// timing than about retention. The floor is the lower envelope: per time bucket, the lowest of the
// samples and of the post-GC readings inside it. Buckets are at least as wide as the typical gap
// between major GCs, so that each bucket holds a trough; and few enough (≤ maxBuckets) that the
// O(n²) statistics stay cheap on hours of 1 Hz data or days of Prometheus steps.
import type { GcEvent, MemorySample } from '../types';
import { median } from './stats';

export interface FloorPoint {
  /** Time of the lowest reading in the bucket, ms since the epoch. */
  timeMs: number;
  bytes: number;
}

export interface FloorOptions {
  maxBuckets?: number;
  /** Narrowest bucket, ms. Default: 2 s, or two sample periods when samples are sparser. */
  minBucketMs?: number;
}

export type SeriesField = 'heap' | 'external' | 'rss';

function sampleValue(sample: MemorySample, field: SeriesField): number | undefined {
  let value: number | undefined;
  if (field === 'heap') value = sample.heapUsedBytes;
  else if (field === 'rss') value = sample.rssBytes;
  // `external` already includes arrayBuffers in Node; take the larger so a target reporting only
  // one of them still yields a series.
  else value = Math.max(finiteOr0(sample.externalBytes), finiteOr0(sample.arrayBuffersBytes));
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function finiteOr0(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function gcValue(event: GcEvent, field: SeriesField): number | undefined {
  const value =
    field === 'heap' ? event.heapUsedAfterBytes : field === 'external' ? event.externalAfterBytes : undefined;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** How many samples carry a usable value for this field. */
export function countUsable(samples: readonly MemorySample[], field: SeriesField): number {
  let count = 0;
  for (const sample of samples) if (sampleValue(sample, field) !== undefined) count++;
  return count;
}

export function medianSampleIntervalMs(samples: readonly MemorySample[]): number {
  if (samples.length < 2) return 1000;
  // A stride keeps this O(1000) on long inputs; the median is insensitive to the thinning.
  const stride = Math.max(1, Math.floor(samples.length / 1000));
  const gaps: number[] = [];
  for (let i = stride; i < samples.length; i += stride) {
    gaps.push((samples[i].timeMs - samples[i - stride].timeMs) / stride);
  }
  const value = median(gaps);
  return Number.isFinite(value) && value > 0 ? value : 1000;
}

function medianMajorGcGapMs(gcEvents: readonly GcEvent[]): number | undefined {
  const majors = gcEvents.filter((e) => e.kind === 'major').map((e) => e.timeMs);
  if (majors.length < 3) return undefined;
  const gaps: number[] = [];
  for (let i = 1; i < majors.length; i++) gaps.push(majors[i] - majors[i - 1]);
  return median(gaps);
}

export function buildFloor(
  samples: readonly MemorySample[],
  gcEvents: readonly GcEvent[],
  field: SeriesField,
  options: FloorOptions = {},
): { points: FloorPoint[]; bucketMs: number; spanMs: number } {
  const maxBuckets = options.maxBuckets ?? 120;
  let startMs = Infinity;
  let endMs = -Infinity;
  for (const sample of samples) {
    if (sampleValue(sample, field) === undefined) continue;
    if (sample.timeMs < startMs) startMs = sample.timeMs;
    if (sample.timeMs > endMs) endMs = sample.timeMs;
  }
  for (const event of gcEvents) {
    if (gcValue(event, field) === undefined) continue;
    if (event.timeMs < startMs) startMs = event.timeMs;
    if (event.timeMs > endMs) endMs = event.timeMs;
  }
  if (!Number.isFinite(startMs) || endMs <= startMs) return { points: [], bucketMs: 0, spanMs: 0 };
  const spanMs = endMs - startMs;
  const sampleGapMs = medianSampleIntervalMs(samples);
  const minBucketMs = options.minBucketMs ?? Math.max(2000, 2 * sampleGapMs);
  const majorGapMs = field === 'rss' ? undefined : medianMajorGcGapMs(gcEvents);
  let bucketMs = Math.max(minBucketMs, spanMs / maxBuckets);
  // Never let the GC cadence widen buckets so much that too few remain for a trend test.
  if (majorGapMs !== undefined) bucketMs = Math.max(bucketMs, Math.min(majorGapMs, spanMs / 12));

  // Buckets are aligned to the END of the window: the newest data matters most (saturation check),
  // so the partial bucket, if any, is the oldest one, and it is dropped when mostly empty.
  const bucketCount = Math.ceil(spanMs / bucketMs) || 1;
  const mins = new Array<number>(bucketCount).fill(Infinity);
  const minTimes = new Array<number>(bucketCount).fill(0);
  const indexOf = (timeMs: number): number =>
    Math.min(bucketCount - 1, Math.max(0, bucketCount - 1 - Math.floor((endMs - timeMs) / bucketMs)));
  const put = (timeMs: number, value: number): void => {
    const index = indexOf(timeMs);
    if (value < mins[index]) {
      mins[index] = value;
      minTimes[index] = timeMs;
    }
  };
  for (const sample of samples) {
    const value = sampleValue(sample, field);
    if (value !== undefined) put(sample.timeMs, value);
  }
  for (const event of gcEvents) {
    const value = gcValue(event, field);
    if (value !== undefined) put(event.timeMs, value);
  }
  const firstFullStartMs = endMs - (bucketCount - 1) * bucketMs - bucketMs;
  const points: FloorPoint[] = [];
  for (let i = 0; i < bucketCount; i++) {
    if (!Number.isFinite(mins[i])) continue;
    // The oldest bucket may cover only a sliver of time; a min over fewer readings sits higher
    // and would fake a downward start.
    if (i === 0 && bucketCount > 3 && startMs - firstFullStartMs > bucketMs / 2) continue;
    points.push({ timeMs: minTimes[i], bytes: mins[i] });
  }
  return { points, bucketMs, spanMs };
}
