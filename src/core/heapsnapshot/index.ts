// Public surface of the heap snapshot engine: capture over CDP, then summary, diff, retainers and
// growth holders. Analyses run in a worker thread (see workerClient.ts); files are parsed by a
// streaming tokenizer into typed arrays (parser.ts).
import type { Holder } from '../types';
import type { GrowthCandidate } from './growth';
import { resolveDeclarations } from './growth';
import type { DiffResult, RetainersQuery, RetainersResult, SummaryResult, TaskProgress } from './tasks';
import { runSnapshotTask, type RunOptions } from './workerClient';

export {
  captureHeapSnapshot,
  captureInProgress,
  SNAPSHOT_MEMORY_FACTOR,
  snapshotCost,
  snapshotCrossesLimit,
  snapshotPauseSeconds,
} from './capture';
export type { CaptureOptions, CaptureResult, SnapshotCost } from './capture';
export { parseSnapshotFile, parseSnapshotBuffer } from './parser';
export { HeapSnapshot } from './snapshot';
export { describeFrame } from './allocationTraces';
export type { AllocationFrame, AllocationSite } from './allocationTraces';
export { summarize } from './summary';
export { loadSnapshot } from './tasks';
export type {
  DiffResult,
  RetainersQuery,
  RetainersResult,
  RetainedObject,
  SummaryResult,
  TaskProgress,
  AnalyseResult,
} from './tasks';
export type { ConstructorSummary, SnapshotSummary } from './summary';
export type { ConstructorDiff, SnapshotDiff } from './diff';
export type { RetainerPath, RetainerStep } from './retainers';
export type { RunOptions } from './workerClient';

/** A group of objects that grew between snapshots, with what holds them. */
export interface GrowthHolder {
  /** Constructor / node name of the growing objects (e.g. 'Object', 'Buffer', 'Error', 'closure name'). */
  constructorName: string;
  /** Objects of this group new in the later snapshot and still alive in the last one. */
  addedCount: number;
  addedBytes: number;
  holder: Holder;
}

export interface GrowthHolderOptions {
  /** Script source lookup, to find where a holder variable or property is declared. */
  getScriptSource?: (scriptIdOrUrl: string) => Promise<string | undefined>;
  limit?: number;
  onProgress?: (p: TaskProgress) => void;
  signal?: AbortSignal;
}

/**
 * Compares snapshots of one process (oldest first) and names what holds the objects that grew:
 * objects absent from the first snapshot, present in the second-to-last (with three or more) and
 * alive in the last, grouped by constructor, largest retained bytes first.
 */
export async function findGrowthHolders(
  snapshotFiles: readonly string[],
  options: GrowthHolderOptions = {},
): Promise<GrowthHolder[]> {
  const candidates = await runSnapshotTask<GrowthCandidate[]>(
    { task: 'growth', files: [...snapshotFiles], limit: options.limit ?? 10 },
    { onProgress: options.onProgress, signal: options.signal },
  );
  await resolveDeclarations(candidates, options.getScriptSource);
  return candidates.map(({ constructorName, addedCount, addedBytes, holder }) => ({
    constructorName,
    addedCount,
    addedBytes,
    holder,
  }));
}

export interface SummaryOptions extends RunOptions {
  /**
   * Also give the retainer path of the largest instance of this many of the biggest program
   * constructors (default 0: no).
   */
  largest?: number;
}

/** Summary by constructor (count, shallow, retained), largest retained first. `top` 0 = all. */
export function summarizeSnapshotFile(
  file: string,
  top = 0,
  options: SummaryOptions = {},
): Promise<SummaryResult> {
  const { largest = 0, ...runOptions } = options;
  return runSnapshotTask<SummaryResult>({ task: 'summary', file, top, largest }, runOptions);
}

export interface DiffOptions extends RunOptions {
  /**
   * Also name what holds the objects that grew, for this many constructors (default 0: no). Costs
   * dominators and distances on the last snapshot.
   */
  holders?: number;
  /** Script source lookup for the holders' declarations (default: the file on disk). */
  getScriptSource?: (scriptIdOrUrl: string) => Promise<string | undefined>;
}

/** Diff of two snapshots by object id; with three, also "allocated between 1 and 2, alive in 3". */
export async function diffSnapshotFiles(
  files: readonly string[],
  top = 0,
  options: DiffOptions = {},
): Promise<DiffResult> {
  const { holders = 0, getScriptSource, ...runOptions } = options;
  const result = await runSnapshotTask<DiffResult>(
    { task: 'diff', files: [...files], top, holders },
    runOptions,
  );
  if (result.holders) {
    await resolveDeclarations(result.holders, getScriptSource);
    for (const candidate of result.holders) delete candidate.declaration;
  }
  return result;
}

/** Retainer paths of one object (by id) or the largest objects of a constructor. */
export function findRetainers(
  file: string,
  query: RetainersQuery,
  options: RunOptions = {},
): Promise<RetainersResult> {
  return runSnapshotTask<RetainersResult>({ task: 'retainers', file, query }, options);
}
