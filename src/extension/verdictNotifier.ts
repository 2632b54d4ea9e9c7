// When a session's leak verdict becomes a notification. The live verdict is already gated (no leak
// call before a sustained rise, src/core/leak/liveVerdict.ts); a notification interrupts the user,
// so it waits until the leak has also been shown for LEAK_NOTIFY_AFTER_MS, fires once per change of
// the verdict (a leak withdrawn and called again is news again), and says how long the evidence
// spans so the user can weigh it.
import type { MemorySample, TrendVerdict, Verdict } from '../core/types';
import { formatRate } from '../shared/format';

/** A leak verdict is notified once it has been shown this long, ms. */
export const LEAK_NOTIFY_AFTER_MS = 10_000;

export class VerdictNotifier {
  private verdict: Verdict | undefined;
  private sinceMs = 0;
  private notified = false;

  constructor(private readonly afterMs = LEAK_NOTIFY_AFTER_MS) {}

  /**
   * Call on every new verdict or sample. Returns the text of the notification to raise now
   * (without the session's name), or undefined. `minGrowthBytesPerMinute` ≤ 0 turns it off.
   */
  observe(
    verdict: TrendVerdict | undefined,
    samples: readonly MemorySample[],
    minGrowthBytesPerMinute: number,
  ): string | undefined {
    const nowMs = samples[samples.length - 1]?.timeMs;
    if (!verdict || nowMs === undefined) return undefined;
    if (verdict.verdict !== this.verdict) {
      this.verdict = verdict.verdict;
      this.sinceMs = nowMs;
      this.notified = false;
    }
    if (this.notified || verdict.verdict !== 'leak') return undefined;
    const growth = verdict.growth.heapBytesPerMinute + verdict.growth.externalBytesPerMinute;
    if (minGrowthBytesPerMinute <= 0 || growth < minGrowthBytesPerMinute) return undefined;
    const heldMs = nowMs - this.sinceMs;
    if (heldMs < this.afterMs) return undefined;
    this.notified = true;
    const spanSeconds = Math.round((nowMs - samples[0].timeMs) / 1000);
    return (
      `leaks ${formatRate(growth)} (confidence ${Math.round(verdict.growth.confidence * 100)} %): ` +
      `memory has kept rising over ${spanSeconds} s of readings; leak shown for ${Math.round(heldMs / 1000)} s.`
    );
  }
}
