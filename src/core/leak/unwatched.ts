// Memory that grows outside what the verdict watches. The heap floor and the off-heap (`external`)
// floor cover JS objects and Buffer/ArrayBuffer backing stores; a native addon's allocations, a
// worker thread that could not be attached, or code space grow RSS without moving either. This
// series is RSS minus what the watched figures already explain: the committed JS heap
// (heapTotal) and the growth of `external` since the first reading (external is counted from its
// change, not its level, because part of a Buffer's backing store may not be resident yet).
import type { MemorySample } from '../types';

/** Samples whose `rssBytes` is the unexplained part of RSS; other figures are zeroed. */
export function unwatchedSamples(samples: readonly MemorySample[]): MemorySample[] {
  const first = samples.find((s) => usable(s.rssBytes) && usable(s.heapTotalBytes));
  if (!first) return [];
  const external0 = externalOf(first);
  const out: MemorySample[] = [];
  for (const s of samples) {
    if (!usable(s.rssBytes) || !usable(s.heapTotalBytes)) continue;
    const value = s.rssBytes - s.heapTotalBytes - Math.max(0, externalOf(s) - external0);
    if (!(value > 0)) continue;
    out.push({
      timeMs: s.timeMs,
      rssBytes: value,
      heapTotalBytes: 0,
      heapUsedBytes: 0,
      externalBytes: 0,
      arrayBuffersBytes: 0,
    });
  }
  return out;
}

function externalOf(s: MemorySample): number {
  return Math.max(
    Number.isFinite(s.externalBytes) ? s.externalBytes : 0,
    Number.isFinite(s.arrayBuffersBytes) ? s.arrayBuffersBytes : 0,
  );
}

function usable(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
