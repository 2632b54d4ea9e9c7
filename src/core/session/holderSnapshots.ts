// Decides whether the holder snapshots fit (the verdict calls for them, the heap is under the size
// limit, the snapshots fit the time budget) and runs them within that budget. Each snapshot stops
// the target's JavaScript while V8 writes it, so this never starts on its own: a face asks.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotPauseSeconds } from '../heapsnapshot/capture';
import { formatBytes } from '../../shared/format';
import { attributeHolders, wantsHolders, type ScriptSourceProvider } from '../leak';
import type { ReportV1, Suspect, TrendVerdict } from '../types';
import { DEFAULT_HOLDERS_MAX_HEAP_BYTES, heapTooLargeForHolders, type HolderOutcome } from './api';

/**
 * Three snapshots (allocated between the first two and still alive in the third) set aside the
 * objects that were only in flight at the second; two (what grew between them) name the same holder
 * when the leak dominates the growth, for two thirds of the pause. Large heaps get two.
 */
export const HOLDER_SNAPSHOT_COUNT = 3;
export const LARGE_HEAP_HOLDER_SNAPSHOT_COUNT = 2;
/** Above this JS heap, two snapshots instead of three (each pauses about 26 s here on 2 cores). */
export const THREE_SNAPSHOTS_MAX_HEAP_BYTES = 256 * 1024 * 1024;
export const DEFAULT_HOLDER_GAP_MS = 3000;
/**
 * Default time budget for the holder snapshots of `heapscope check`: three snapshots of a heap of
 * ~170 MiB, or two of one of ~285 MiB, at about 10 MiB of heap per second of pause on a 2-core
 * machine; a minute keeps a CI job's tail short while covering the heaps where most leaks are found.
 */
export const DEFAULT_HOLDERS_BUDGET_MS = 60_000;

function countWord(count: number): string {
  return count === 2 ? 'two' : count === 3 ? 'three' : String(count);
}

/** Three snapshots, or two above THREE_SNAPSHOTS_MAX_HEAP_BYTES (without a time budget). */
export function holderSnapshotCount(heapUsedBytes: number): number {
  return heapUsedBytes <= THREE_SNAPSHOTS_MAX_HEAP_BYTES
    ? HOLDER_SNAPSHOT_COUNT
    : LARGE_HEAP_HOLDER_SNAPSHOT_COUNT;
}

export type HolderPlan =
  | { kind: 'take'; estimateSeconds: number; count: number }
  | { kind: 'not-needed'; reason: string }
  | { kind: 'skip'; skipped: NonNullable<ReportV1['holdersSkipped']>; advice: string };

/** Seconds the holder snapshots of a heap this size take, pauses and gaps together. */
export function holdersCostSeconds(
  heapUsedBytes: number,
  gapMs = DEFAULT_HOLDER_GAP_MS,
  count = HOLDER_SNAPSHOT_COUNT,
): number {
  return count * snapshotPauseSeconds(heapUsedBytes) + ((count - 1) * gapMs) / 1000;
}

/** The largest heap whose holder snapshots fit in `budgetMs`. */
export function largestHeapForBudget(
  budgetMs: number,
  gapMs = DEFAULT_HOLDER_GAP_MS,
  count = HOLDER_SNAPSHOT_COUNT,
): number {
  const pauseSeconds = Math.max(0, budgetMs / 1000 - ((count - 1) * gapMs) / 1000);
  return Math.floor((pauseSeconds / count) * 10 * 1024 * 1024);
}

export function planHolders(input: {
  verdict: TrendVerdict | undefined;
  heapUsedBytes: number;
  maxHeapBytes?: number;
  budgetMs?: number;
  gapMs?: number;
}): HolderPlan {
  if (!input.verdict || !wantsHolders(input.verdict))
    return { kind: 'not-needed', reason: 'the verdict shows no growth for holders to explain' };
  const heapUsed = input.heapUsedBytes;
  const limit = input.maxHeapBytes ?? DEFAULT_HOLDERS_MAX_HEAP_BYTES;
  const pauseSeconds = Math.round(snapshotPauseSeconds(heapUsed));
  const fits = (count: number) =>
    !(input.budgetMs !== undefined && input.budgetMs > 0) ||
    holdersCostSeconds(heapUsed, input.gapMs, count) * 1000 <= input.budgetMs;
  const count = fits(holderSnapshotCount(heapUsed))
    ? holderSnapshotCount(heapUsed)
    : LARGE_HEAP_HOLDER_SNAPSHOT_COUNT;
  if (heapTooLargeForHolders(heapUsed, limit)) {
    return {
      kind: 'skip',
      skipped: {
        heapUsedBytes: heapUsed,
        limitBytes: limit,
        reason:
          `the JS heap holds ${formatBytes(heapUsed)}, over the ${formatBytes(limit)} limit: each of the ${countWord(count)} ` +
          `snapshots would stop the target's JavaScript for about ${pauseSeconds} s and write more than the heap to disk`,
      },
      advice:
        'Raise the limit to take them (heapscope check --holders-max-heap <MiB>; in VS Code, heapscope.holders.maxHeapBytes).',
    };
  }
  const estimateSeconds = holdersCostSeconds(heapUsed, input.gapMs, count);
  if (!fits(count)) {
    const budgetSeconds = Math.round((input.budgetMs ?? 0) / 1000);
    return {
      kind: 'skip',
      skipped: {
        heapUsedBytes: heapUsed,
        limitBytes: largestHeapForBudget(input.budgetMs ?? 0, input.gapMs, count),
        reason:
          `the JS heap holds ${formatBytes(heapUsed)}: the ${countWord(count)} snapshots would take about ` +
          `${Math.round(estimateSeconds)} s (each stops the target's JavaScript about ${pauseSeconds} s), ` +
          `over the ${budgetSeconds} s budget`,
      },
      advice: 'Give them more time to take them (heapscope check --holders-budget <seconds>).',
    };
  }
  return { kind: 'take', estimateSeconds, count };
}

export interface HolderRun {
  suspects: readonly Suspect[];
  verdict: TrendVerdict;
  sources: ScriptSourceProvider;
  projectRoot?: string;
  gapMs?: number;
  /** Takes one snapshot (the session records its pause and shows the capture). */
  takeSnapshot(file: string, purpose: string, signal: AbortSignal): Promise<string>;
  log(line: string): void;
  onStep?: (step: string) => void;
  /** The session's teardown and the face's cancel. */
  signals: AbortSignal[];
  budgetMs?: number;
  /** How many snapshots (planHolders): three, or two on a large heap. */
  count?: number;
}

/** Takes the snapshots and names the holders; never throws: the outcome says what happened. */
export async function runHolderSnapshots(
  run: HolderRun,
): Promise<{ outcome: HolderOutcome; suspects?: Suspect[] }> {
  const signals = [...run.signals];
  if (run.budgetMs !== undefined && run.budgetMs > 0) signals.push(AbortSignal.timeout(run.budgetMs));
  const signal = AbortSignal.any(signals);
  const workDir = await mkdtemp(join(tmpdir(), 'heapscope-holders-'));
  const count = run.count ?? HOLDER_SNAPSHOT_COUNT;
  const startedAt = Date.now();
  let taken = 0;
  let longestPauseMs = 0;
  let overrun: string | undefined;
  try {
    const suspects = await attributeHolders(run.suspects, run.verdict, {
      takeHeapSnapshot: async (file, purpose) => {
        // The estimate assumed 10 MiB/s; a busy machine writes slower. After the first pause the
        // measured one decides: a snapshot the budget cannot finish is not started.
        const budgetMs = run.budgetMs ?? 0;
        if (taken > 0 && budgetMs > 0) {
          const gapMs = run.gapMs ?? DEFAULT_HOLDER_GAP_MS;
          const needMs =
            Date.now() - startedAt + (count - taken) * longestPauseMs + (count - taken - 1) * gapMs;
          if (needMs > budgetMs) {
            overrun =
              `the first snapshot paused the target ${Math.round(longestPauseMs / 1000)} s: the next ` +
              `would overrun the ${Math.round(budgetMs / 1000)} s budget`;
            throw new Error(overrun);
          }
        }
        run.onStep?.(`heap snapshot ${taken + 1} of ${count} — target paused`);
        const pauseStart = Date.now();
        const written = await run.takeSnapshot(file, purpose, signal);
        longestPauseMs = Math.max(longestPauseMs, Date.now() - pauseStart);
        taken++;
        if (taken < count) run.onStep?.(`waiting for the leak to grow before snapshot ${taken + 1}`);
        else run.onStep?.('comparing the snapshots');
        return written;
      },
      sources: run.sources,
      workDir,
      projectRoot: run.projectRoot,
      snapshotGapMs: run.gapMs,
      snapshotCount: count,
      log: run.log,
      signal,
    });
    if (overrun) return { outcome: { kind: 'cancelled', reason: overrun } };
    if (signal.aborted) {
      const why = run.signals.some((s) => s.aborted)
        ? 'cancelled'
        : `the ${Math.round((run.budgetMs ?? 0) / 1000)} s budget ran out after ${taken} snapshot(s)`;
      return { outcome: { kind: 'cancelled', reason: why } };
    }
    if (taken < 2) return { outcome: { kind: 'failed', reason: 'fewer than two snapshots could be taken' } };
    return { outcome: { kind: 'named', suspects: suspects.filter((s) => s.holder).length }, suspects };
  } catch (error) {
    return { outcome: { kind: 'failed', reason: error instanceof Error ? error.message : String(error) } };
  } finally {
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
