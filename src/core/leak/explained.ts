// How much of the measured growth the suspects account for. A suspect list that reads +1.9 MiB/min
// beside an off-heap floor rising +739 MiB/min is not an explanation of that rise: the sampling
// profiler sees a Buffer's small JS wrapper, not its backing store. Saying the share plainly keeps
// the figures honest until every byte is attributed.
import type { Suspect, TrendVerdict } from '../types';

export interface ExplainedGrowth {
  /** Growth of the heap suspects ÷ growth of the JS heap floor, when the floor rises. */
  heapShare?: number;
  /** Growth of the off-heap (`external`) suspects ÷ growth of the off-heap floor, when it rises. */
  externalShare?: number;
}

/** Shares are 0..1 (capped: sampled growth can overshoot a floor measured another way). */
export function explainedGrowth(
  verdict: TrendVerdict | undefined,
  suspects: readonly Suspect[],
): ExplainedGrowth {
  if (!verdict) return {};
  const sum = (kind: Suspect['kind']) =>
    suspects
      .filter((s) => s.kind === kind && s.growthBytesPerMinute > 0)
      .reduce((a, s) => a + s.growthBytesPerMinute, 0);
  const share = (part: number, whole: number) => Math.round(Math.min(1, part / whole) * 1000) / 1000;
  const out: ExplainedGrowth = {};
  // Below 64 KiB/min the floor's growth is noise: a share of it would mean nothing.
  const minRate = 64 * 1024;
  if (verdict.growth.heapBytesPerMinute > minRate)
    out.heapShare = share(sum('heap'), verdict.growth.heapBytesPerMinute);
  if (verdict.growth.externalBytesPerMinute > minRate)
    out.externalShare = share(sum('external'), verdict.growth.externalBytesPerMinute);
  return out;
}
