// What a user saw while a scenario was observed: from the live verdict's history (every change,
// with its time), was a wrong verdict ever shown, and when did the right one come to stay?
// Shared by run.ts (histories from real reports) and replay.ts (histories replayed from recordings).
import type { Verdict, VerdictChange } from '../../src/core/types';

export interface LiveOutcome {
  /** A verdict opposite to the expected one (leak on a control, no-leak on a leak) was shown. */
  wrongShown: boolean;
  /** When the first wrong verdict was shown, s. */
  firstWrongSeconds?: number;
  /** When the expected verdict was shown for the last time and then stayed to the end, s. */
  lastingRightSeconds?: number;
}

export function liveOutcome(history: readonly VerdictChange[], expect: 'leak' | 'no-leak'): LiveOutcome {
  const wrong: Verdict = expect === 'leak' ? 'no-leak' : 'leak';
  const firstWrong = history.find((c) => c.verdict === wrong);
  const last = history[history.length - 1];
  return {
    wrongShown: firstWrong !== undefined,
    ...(firstWrong ? { firstWrongSeconds: firstWrong.atSeconds } : {}),
    ...(last?.verdict === expect ? { lastingRightSeconds: last.atSeconds } : {}),
  };
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `live: wrong verdicts shown 0/M runs, median time to a lasting leak call N s` */
export function liveSummary(
  outcomes: ReadonlyArray<{ expect: 'leak' | 'no-leak'; live?: LiveOutcome }>,
): string {
  const runs = outcomes.filter((o) => o.live);
  const wrong = runs.filter((o) => o.live!.wrongShown).length;
  const leakTimes = runs
    .filter((o) => o.expect === 'leak' && o.live!.lastingRightSeconds !== undefined)
    .map((o) => o.live!.lastingRightSeconds!);
  const leaks = runs.filter((o) => o.expect === 'leak').length;
  const med = median(leakTimes);
  return (
    `live: wrong verdicts shown ${wrong}/${runs.length} runs, median time to a lasting leak call ` +
    `${med === undefined ? '-' : Math.round(med)} s` +
    (leakTimes.length < leaks ? ` (${leaks - leakTimes.length} leak runs never called leak to the end)` : '')
  );
}

/** `… live: right from 46 s` / `live: WRONG no-leak at 12 s, right from 50 s` */
export function formatLive(live: LiveOutcome | undefined): string {
  if (!live) return 'live: -';
  const parts: string[] = [];
  if (live.wrongShown) parts.push(`WRONG at ${live.firstWrongSeconds} s`);
  parts.push(
    live.lastingRightSeconds === undefined ? 'never right' : `right from ${live.lastingRightSeconds} s`,
  );
  return `live: ${parts.join(', ')}`;
}
