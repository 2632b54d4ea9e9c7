// Builds the versioned report (ReportV1) from what a session saw. Pure: the session, a recording
// reopened from disk and tests all produce reports the same way.
import { redactTarget } from '../redact';
import type {
  GcEvent,
  IsolateReport,
  MemorySample,
  ReportV1,
  Suspect,
  TargetInfo,
  TrendVerdict,
  VerdictChange,
} from '../types';
import { explainedGrowth } from '../../shared/explained';
import { HEAPSCOPE_VERSION } from '../version';

export interface ReportInput {
  target: TargetInfo;
  startedAtMs: number;
  /** End of observation (now for a running session). */
  endedAtMs: number;
  samples: readonly MemorySample[];
  gcEvents: readonly GcEvent[] | number;
  verdict?: TrendVerdict;
  suspects: readonly Suspect[];
  targetExited?: ReportV1['targetExited'];
  snapshots?: ReportV1['snapshots'];
  holdersSkipped?: ReportV1['holdersSkipped'];
  /** Every change of the verdict shown while observing. */
  verdictHistory?: readonly VerdictChange[];
  /** Each isolate's own verdict, when the process ran worker threads. */
  isolates?: readonly IsolateReport[];
}

const NO_VERDICT: TrendVerdict = {
  verdict: 'inconclusive',
  growth: { heapBytesPerMinute: 0, externalBytesPerMinute: 0, confidence: 0 },
  reason: 'Not enough readings to decide.',
};

export function buildReport(input: ReportInput): ReportV1 {
  const verdict = input.verdict ?? NO_VERDICT;
  const last = input.samples[input.samples.length - 1];
  const heapLimitBytes = [...input.samples].reverse().find((s) => s.heapLimitBytes)?.heapLimitBytes;
  const report: ReportV1 = {
    schema: 1,
    tool: { name: 'heapscope', version: HEAPSCOPE_VERSION },
    target: redactTarget(input.target),
    startedAt: new Date(input.startedAtMs).toISOString(),
    durationSeconds: round(Math.max(0, input.endedAtMs - input.startedAtMs) / 1000, 1),
    verdict: verdict.verdict,
    reason: verdict.reason,
    growth: {
      heapBytesPerMinute: Math.round(verdict.growth.heapBytesPerMinute),
      externalBytesPerMinute: Math.round(verdict.growth.externalBytesPerMinute),
      confidence: round(verdict.growth.confidence, 3),
    },
    suspects: input.suspects.map((s, index) => ({ ...s, rank: index + 1 })),
    samples: input.samples.length,
    gcEvents: typeof input.gcEvents === 'number' ? input.gcEvents : input.gcEvents.length,
  };
  if (verdict.minutesToHeapLimit !== undefined && Number.isFinite(verdict.minutesToHeapLimit)) {
    report.minutesToHeapLimit = round(verdict.minutesToHeapLimit, 1);
  }
  if (heapLimitBytes) report.heapLimitBytes = heapLimitBytes;
  if (input.targetExited) report.targetExited = input.targetExited;
  if (input.snapshots?.length) report.snapshots = [...input.snapshots];
  if (input.holdersSkipped) report.holdersSkipped = { ...input.holdersSkipped };
  if (last) report.lastSample = last;
  if (input.verdictHistory?.length) report.verdictHistory = input.verdictHistory.map((c) => ({ ...c }));
  const explained = explainedGrowth(input.verdict, input.suspects, input.isolates);
  if (explained.heapShare !== undefined || explained.externalShare !== undefined)
    report.explained = explained;
  if (input.isolates?.length) report.isolates = input.isolates.map((i) => ({ ...i }));
  return report;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
