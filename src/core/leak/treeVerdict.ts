// The verdict of a launched process tree. Each observed process has its own verdict (its isolates
// combined, processVerdict.ts). The tree leaks when any process that is not a wrapper leaks, running
// or already ended (a leak in an earlier life of a restarted app is still the app's leak), and the
// reason says in which. Flatness is decided by the apps that run now: a no-leak only when each of
// them is one. A supervisor's flatness decides nothing (its children do the work), and an ended
// process's unfinished verdict does not hold the tree back (its successor is observed instead).
import type { ProcessRole } from '../targets/processRole';
import type { TrendVerdict } from '../types';

export interface TreeMemberVerdict {
  /** `pid 4242 (node server.js)`, as the reason names it. */
  label: string;
  role: ProcessRole;
  verdict: TrendVerdict | undefined;
  ended: boolean;
}

const NO_READINGS: TrendVerdict = {
  verdict: 'inconclusive',
  growth: { heapBytesPerMinute: 0, externalBytesPerMinute: 0, confidence: 0 },
  reason: 'No process of the tree that does the work has readings yet.',
};

/** Pure. With one process, its own verdict. */
export function combineTreeVerdicts(members: readonly TreeMemberVerdict[]): TrendVerdict {
  const counted = members.filter(
    (m): m is TreeMemberVerdict & { verdict: TrendVerdict } =>
      m.role !== 'wrapper' && m.verdict !== undefined,
  );
  if (counted.length === 1 && members.filter((m) => m.role !== 'wrapper').length === 1)
    return counted[0].verdict;
  const leaking = counted.filter((m) => m.verdict.verdict === 'leak');
  if (leaking.length) {
    const strongest = leaking.reduce((a, b) =>
      b.verdict.growth.confidence > a.verdict.growth.confidence ? b : a,
    );
    return {
      ...strongest.verdict,
      reason: leaking.map((m) => `In ${m.label}: ${uncapitalise(m.verdict.reason)}`).join(' '),
    };
  }
  const running = counted.filter((m) => !m.ended);
  const apps = running.filter((m) => m.role === 'app');
  const deciders = apps.length ? apps : running;
  if (!deciders.length) {
    const anyRunning = members.some((m) => m.role !== 'wrapper' && !m.ended);
    return anyRunning || !counted.length
      ? NO_READINGS
      : { ...NO_READINGS, reason: 'Every observed process of the tree has ended without a leak call.' };
  }
  const unsettled = deciders.find((m) => m.verdict.verdict !== 'no-leak');
  if (unsettled) {
    return {
      verdict: 'inconclusive',
      growth: { ...unsettled.verdict.growth, confidence: 0 },
      reason: `In ${unsettled.label}: ${uncapitalise(unsettled.verdict.reason)}`,
    };
  }
  const weakest = deciders.reduce((a, b) =>
    b.verdict.growth.confidence < a.verdict.growth.confidence ? b : a,
  );
  return {
    ...weakest.verdict,
    reason:
      deciders.length === 1
        ? `In ${weakest.label}: ${uncapitalise(weakest.verdict.reason)}`
        : `Every process that does the work is flat (${deciders.map((m) => m.label).join(', ')}). ${weakest.verdict.reason}`,
  };
}

/** "Heap floor…" → "heap floor…"; "JS heap…" stays. */
function uncapitalise(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
