// The verdict of a process made of several isolates (the main thread and its worker threads). Each
// isolate has its own gated verdict (liveVerdict.ts); the process leaks when any isolate leaks, and
// says where. It is a no-leak only when every isolate that has readings is one: a flat main thread
// says nothing about a worker's heap. Changes are kept like the live verdict's (verdictHistory).
import type { TrendVerdict, VerdictChange } from '../types';

export interface IsolateVerdict {
  /** `main`, or `worker <name>`, as the reason names it. */
  label: string;
  verdict: TrendVerdict | undefined;
}

/** Combines the main thread's verdict with the workers'. Pure; the main verdict when there are no workers. */
export function combineIsolateVerdicts(main: TrendVerdict, workers: readonly IsolateVerdict[]): TrendVerdict {
  const seen = workers.filter((w): w is { label: string; verdict: TrendVerdict } => w.verdict !== undefined);
  if (seen.length === 0) return main;
  const leaking = seen.filter((w) => w.verdict.verdict === 'leak');
  if (main.verdict === 'leak' || leaking.length > 0) {
    const parts = [...(main.verdict === 'leak' ? [{ label: 'main thread', verdict: main }] : []), ...leaking];
    const strongest = parts.reduce((a, b) =>
      b.verdict.growth.confidence > a.verdict.growth.confidence ? b : a,
    );
    return {
      ...strongest.verdict,
      reason: parts.map((p) => `In the ${p.label}: ${uncapitalise(p.verdict.reason)}`).join(' '),
    };
  }
  const unsettled = seen.filter((w) => w.verdict.verdict !== 'no-leak');
  if (main.verdict === 'no-leak' && unsettled.length === 0) {
    const confidence = Math.min(main.growth.confidence, ...seen.map((w) => w.verdict.growth.confidence));
    return {
      ...main,
      growth: { ...main.growth, confidence },
      reason: `${main.reason} Worker threads (${seen.map((w) => w.label).join(', ')}) flat too.`,
    };
  }
  if (main.verdict !== 'no-leak') return main;
  const first = unsettled[0];
  return {
    verdict: 'inconclusive',
    growth: { ...main.growth, confidence: 0 },
    reason: `Main thread flat, but the ${first.label} is not settled: ${uncapitalise(first.verdict.reason)}`,
  };
}

/** Keeps every change of the process verdict, as LiveVerdict does for one isolate. */
export class ProcessVerdictHistory {
  private shown: TrendVerdict['verdict'] | undefined;
  private readonly changes: VerdictChange[] = [];

  constructor(private readonly maxHistory = 500) {}

  get history(): readonly VerdictChange[] {
    return this.changes;
  }

  note(verdict: TrendVerdict, nowMs: number, startedAtMs: number): void {
    if (verdict.verdict === this.shown) return;
    this.shown = verdict.verdict;
    this.changes.push({
      atSeconds: Math.max(0, Math.round((nowMs - startedAtMs) / 100) / 10),
      verdict: verdict.verdict,
      confidence: verdict.growth.confidence,
      reason: verdict.reason,
    });
    if (this.changes.length > this.maxHistory) this.changes.splice(1, 1);
  }
}

/** "Heap floor…" → "heap floor…"; "JS heap…" stays. */
function uncapitalise(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
