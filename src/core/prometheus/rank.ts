// The order of a namespace scan: what needs a person first. Leaks before anything else, the one that
// reaches its limit soonest first (then the fastest growing); then the inconclusive ones, whose
// evidence was too thin either way; then the containers whose floor stays flat.
import type { Verdict } from '../types';
import type { FleetContainer } from '../../shared/fleetTypes';

const VERDICT_ORDER: Record<Verdict, number> = { leak: 0, inconclusive: 1, 'no-leak': 2 };

function daysToLimit(c: FleetContainer): number {
  return c.verdict.daysToLimit ?? Number.POSITIVE_INFINITY;
}

export function compareContainers(a: FleetContainer, b: FleetContainer): number {
  const byVerdict = VERDICT_ORDER[a.verdict.verdict] - VERDICT_ORDER[b.verdict.verdict];
  if (byVerdict !== 0) return byVerdict;
  if (a.verdict.verdict === 'leak') {
    const byLimit = daysToLimit(a) - daysToLimit(b);
    if (byLimit !== 0 && !Number.isNaN(byLimit)) return byLimit;
  }
  // Restarts and OOM kills count against an inconclusive or flat container too: they are what a
  // person looks at next.
  const byGrowth = b.verdict.bytesPerDay - a.verdict.bytesPerDay;
  if (a.verdict.verdict === 'leak' && byGrowth !== 0) return byGrowth;
  const byKills = b.oomKills - a.oomKills || b.restarts - a.restarts;
  if (byKills !== 0) return byKills;
  return a.workload.localeCompare(b.workload) || a.container.localeCompare(b.container);
}

/** A new array, worst first. */
export function rankContainers(containers: readonly FleetContainer[]): FleetContainer[] {
  return [...containers].sort(compareContainers);
}

/** leak if any container leaks; else inconclusive if any is; else no-leak. An empty list is inconclusive. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return 'inconclusive';
  return verdicts.reduce<Verdict>(
    (worst, v) => (VERDICT_ORDER[v] < VERDICT_ORDER[worst] ? v : worst),
    'no-leak',
  );
}
