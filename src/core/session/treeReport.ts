// The report's view of a launched process tree: one entry per Node process (wrappers included) and
// the tree's suspects, those of the leaking processes first, each naming its process. Pure.
import { redactArgs } from '../redact';
import { shortCommand, type ProcessIdentity, type ProcessRole } from '../targets/processRole';
import type { IsolateReport, MemorySample, ProcessReport, ReportV1, Suspect, TrendVerdict } from '../types';

/** What a process's entry takes from its own report. */
export type MemberFigures = Pick<
  ReportV1,
  'verdict' | 'reason' | 'growth' | 'samples' | 'lastSample' | 'isolates'
>;

export interface TreeMemberState {
  identity: ProcessIdentity;
  role: ProcessRole;
  /** Set for a wrapper: which. */
  wrapper?: string;
  startedAtMs: number;
  endedAtMs?: number;
  /** The member's own report (or its live figures), when it is observed. */
  report?: MemberFigures;
}

/** `pid 4242 (node server.js)`: how reasons and lines name a process. */
export function memberLabel(identity: Pick<ProcessIdentity, 'pid' | 'argv' | 'execArgv'>): string {
  return `pid ${identity.pid} (${shortCommand(identity.argv, identity.execArgv)})`;
}

/**
 * Suspects of every observed process, renumbered: leaking processes first (the most certain first),
 * then those still running, then those that ended; in the order they were found otherwise.
 */
export function mergeTreeSuspects(
  members: ReadonlyArray<{
    pid: number;
    verdict?: TrendVerdict;
    ended?: boolean;
    suspects: readonly Suspect[];
  }>,
): Suspect[] {
  const weight = (m: (typeof members)[number]) =>
    m.verdict?.verdict === 'leak' ? 2 + m.verdict.growth.confidence : m.ended ? 0 : 1;
  const ordered = members
    .map((m, index) => ({ m, index }))
    .sort((a, b) => weight(b.m) - weight(a.m) || a.index - b.index)
    .map(({ m }) => m);
  return ordered
    .flatMap((m) => m.suspects.map((s) => ({ ...s, pid: m.pid })))
    .map((s, i) => ({ ...s, rank: i + 1 }));
}

function seconds(ms: number): number {
  return Math.max(0, Math.round(ms / 100) / 10);
}

/** The report's `processes`: in the order they were found. */
export function processReports(
  members: readonly TreeMemberState[],
  startedAtMs: number,
  suspects: readonly Suspect[],
): ProcessReport[] {
  return members.map((m) => {
    const own = m.report;
    return {
      pid: m.identity.pid,
      ppid: m.identity.ppid,
      command: redactArgs(m.identity.argv),
      role: m.role,
      ...(m.wrapper ? { wrapper: m.wrapper } : {}),
      ...(own ? { verdict: own.verdict, reason: own.reason, growth: own.growth } : {}),
      samples: own?.samples ?? 0,
      ...(own?.lastSample ? { lastSample: own.lastSample } : {}),
      startedAtSeconds: seconds(m.startedAtMs - startedAtMs),
      ...(m.endedAtMs !== undefined ? { endedAtSeconds: seconds(m.endedAtMs - startedAtMs) } : {}),
      suspects: suspects.filter((s) => s.pid === m.identity.pid).length,
      ...(own?.isolates ? { isolates: own.isolates } : {}),
    };
  });
}

/**
 * A running member's figures as its report would give them, without building the report (the live
 * view asks on every verdict; a report copies the whole series).
 */
export function liveFigures(
  verdict: TrendVerdict | undefined,
  samples: readonly MemorySample[],
  isolates?: readonly IsolateReport[],
): MemberFigures {
  const last = samples[samples.length - 1];
  return {
    verdict: verdict?.verdict ?? 'inconclusive',
    reason: verdict?.reason ?? 'Not enough readings to decide.',
    growth: {
      heapBytesPerMinute: Math.round(verdict?.growth.heapBytesPerMinute ?? 0),
      externalBytesPerMinute: Math.round(verdict?.growth.externalBytesPerMinute ?? 0),
      confidence: Math.round((verdict?.growth.confidence ?? 0) * 1000) / 1000,
    },
    samples: samples.length,
    ...(last ? { lastSample: last } : {}),
    ...(isolates?.length ? { isolates: isolates.map((i) => ({ ...i })) } : {}),
  };
}
