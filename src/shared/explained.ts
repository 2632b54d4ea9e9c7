// How much of the measured growth the suspects account for. A suspect list that reads +1.9 MiB/min
// beside an off-heap floor rising +739 MiB/min is not an explanation of that rise: the sampling
// profiler sees a Buffer's small JS wrapper, not its backing store. The off-heap share therefore
// counts the backing stores attributed to each site (src/core/leak/offHeapAttribution.ts) and, apart, the sampled
// wrapper growth alone, so that an estimate is never passed off as a measurement.
import type { IsolateReport, Suspect, TrendVerdict } from '../core/types';

export interface ExplainedGrowth {
  /** Growth of the heap suspects ÷ growth of the JS heap floor, when the floor rises. */
  heapShare?: number;
  /**
   * Growth of the off-heap suspects ÷ growth of the off-heap (`external`) floor, when it rises:
   * attributed backing-store growth where a suspect has it, its sampled growth otherwise.
   */
  externalShare?: number;
  /** The same with sampled growth only (the JS wrappers of Buffers), set beside an attributed share. */
  externalSampledShare?: number;
}

/**
 * Shares are 0..1 (capped: sampled growth can overshoot a floor measured another way). With worker
 * threads (`isolates`), the process's growth is the sum of each isolate's rising floor: the process
 * verdict carries only its strongest isolate's figures, while the suspects come from every isolate.
 */
export function explainedGrowth(
  verdict: TrendVerdict | undefined,
  suspects: readonly Suspect[],
  isolates?: ReadonlyArray<Pick<IsolateReport, 'growth'>>,
): ExplainedGrowth {
  if (!verdict) return {};
  const growth =
    isolates && isolates.length > 1
      ? {
          heapBytesPerMinute: isolates.reduce((a, i) => a + Math.max(0, i.growth.heapBytesPerMinute), 0),
          externalBytesPerMinute: isolates.reduce(
            (a, i) => a + Math.max(0, i.growth.externalBytesPerMinute),
            0,
          ),
        }
      : verdict.growth;
  const growing = (kind: Suspect['kind']) =>
    suspects.filter((s) => s.kind === kind && s.growthBytesPerMinute > 0);
  const sum = (list: readonly Suspect[], rate: (s: Suspect) => number) =>
    list.reduce((a, s) => a + rate(s), 0);
  const share = (part: number, whole: number) => Math.round(Math.min(1, part / whole) * 1000) / 1000;
  const out: ExplainedGrowth = {};
  // Below 64 KiB/min the floor's growth is noise: a share of it would mean nothing.
  const minRate = 64 * 1024;
  if (growth.heapBytesPerMinute > minRate)
    out.heapShare = share(
      sum(growing('heap'), (s) => s.growthBytesPerMinute),
      growth.heapBytesPerMinute,
    );
  const external = growth.externalBytesPerMinute;
  if (external > minRate) {
    const sites = growing('external');
    out.externalShare = share(
      sum(sites, (s) => s.offHeap?.attributedGrowthBytesPerMinute ?? s.growthBytesPerMinute),
      external,
    );
    if (sites.some((s) => s.offHeap))
      out.externalSampledShare = share(
        sum(sites, (s) => s.growthBytesPerMinute),
        external,
      );
  }
  return out;
}

const percent = (share: number): string =>
  // A sliver (the sampled wrappers of a Buffer leak) reads 0.3 %, not a misleading 0 %.
  share > 0 && share < 0.095 ? `${(share * 100).toFixed(1)} %` : `${Math.round(share * 100)} %`;

/**
 * "suspects explain 92 % of the heap growth, 88 % of off-heap (sampled wrappers alone: 0 %)", the
 * same words in the CLI and the live view; undefined when no floor rises.
 */
export function explainedSentence(explained: ExplainedGrowth | undefined): string | undefined {
  if (!explained) return undefined;
  const parts: string[] = [];
  if (explained.heapShare !== undefined) parts.push(`${percent(explained.heapShare)} of the heap growth`);
  if (explained.externalShare !== undefined) {
    const sampled = explained.externalSampledShare;
    parts.push(
      `${percent(explained.externalShare)} of off-heap` +
        (sampled !== undefined
          ? ` (attributed backing stores; sampled wrappers alone: ${percent(sampled)})`
          : explained.externalShare < 0.5
            ? ' (sampling sees Buffer wrappers, not their backing stores)'
            : ''),
    );
  }
  return parts.length ? `suspects explain ${parts.join(', ')}` : undefined;
}
