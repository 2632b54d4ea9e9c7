// The work the snapshot worker does, as plain functions of file paths returning plain data (so the
// same code runs in the worker and, for tests or tiny files, in-process).
import { HeapscopeError } from '../errors';
import type { AllocatedBetween, IdIndex, SnapshotDiff } from './diff';
import { allocatedBetween, diffSnapshots, hasId, idIndex } from './diff';
import type { AllocationFrame, AllocationSite } from './allocationTraces';
import { AllocationTraces } from './allocationTraces';
import type { GrowthCandidate } from './growth';
import { growthCandidates } from './growth';
import { parseSnapshotFile } from './parser';
import type { RetainerPath } from './retainers';
import { retainerPaths } from './retainers';
import { HeapSnapshot } from './snapshot';
import { SourceLocator } from './sourceLocations';
import type { SnapshotSummary } from './summary';
import { isInternalClass, summarize } from './summary';
import type { SourceFrame } from '../types';

export interface TaskProgress {
  phase: string;
  file?: string;
  readBytes?: number;
  totalBytes?: number;
}

export interface TaskContext {
  onProgress?: (p: TaskProgress) => void;
  signal?: AbortSignal;
}

export async function loadSnapshot(
  file: string,
  ctx: TaskContext = {},
  distances = true,
): Promise<HeapSnapshot> {
  const raw = await parseSnapshotFile(file, {
    signal: ctx.signal,
    onProgress: (readBytes, totalBytes) =>
      ctx.onProgress?.({ phase: 'reading', file, readBytes, totalBytes }),
    keepHelper: true,
  });
  return new HeapSnapshot(raw).analyse({ distances, onPhase: (phase) => ctx.onProgress?.({ phase, file }) });
}

async function loadIds(file: string, ctx: TaskContext): Promise<IdIndex> {
  const raw = await parseSnapshotFile(file, {
    signal: ctx.signal,
    onProgress: (readBytes, totalBytes) =>
      ctx.onProgress?.({ phase: 'reading', file, readBytes, totalBytes }),
  });
  return idIndex(new HeapSnapshot(raw));
}

export interface SummaryResult extends SnapshotSummary {
  file: string;
  fileBytes: number;
  timings: { parseMs: number; analyseMs: number };
  /**
   * When asked for: the largest instance of each of the biggest program constructors (V8's own
   * groups and generic classes skipped), with its retainer path and source location.
   */
  largest?: RetainedObject[];
}

export async function summaryTask(
  file: string,
  top: number,
  ctx: TaskContext = {},
  largest = 0,
): Promise<SummaryResult> {
  const t0 = performance.now();
  const raw = await parseSnapshotFile(file, {
    signal: ctx.signal,
    onProgress: (readBytes, totalBytes) =>
      ctx.onProgress?.({ phase: 'reading', file, readBytes, totalBytes }),
    keepHelper: true,
  });
  const t1 = performance.now();
  const snapshot = new HeapSnapshot(raw).analyse({
    classes: true,
    onPhase: (phase) => ctx.onProgress?.({ phase, file }),
  });
  const summary = summarize(snapshot);
  const t2 = performance.now();
  const result: SummaryResult = {
    ...summary,
    constructors: top > 0 ? summary.constructors.slice(0, top) : summary.constructors,
    file,
    fileBytes: raw.fileBytes,
    timings: { parseMs: Math.round(t1 - t0), analyseMs: Math.round(t2 - t1) },
  };
  if (largest > 0) {
    ctx.onProgress?.({ phase: 'retainers', file });
    const locator = new SourceLocator(snapshot);
    result.largest = summary.constructors
      .filter((c) => !isInternalClass(c.name))
      .slice(0, largest)
      .map((c) => retainedObject(snapshot, snapshot.ordinalOfId(c.largestId), locator, 1));
  }
  return result;
}

export interface DiffResult {
  files: string[];
  diff: SnapshotDiff;
  /** With three files: allocated between the first two and still alive in the third. */
  allocatedBetween?: {
    total: number;
    bytes: number;
    constructors: Array<Omit<AllocatedBetween, 'ordinals'>>;
  };
  /**
   * When asked for: what holds the objects new since the first file (with three files: present in
   * the second too) and alive in the last, by constructor (see growth.ts).
   */
  holders?: GrowthCandidate[];
  /**
   * Where the same objects were allocated, by call stack (most bytes first), when the last
   * snapshot was taken with allocation tracking on; absent otherwise.
   */
  allocationSites?: AllocationSite[];
}

/** Call stacks shown by diff (most bytes first). */
export const DIFF_ALLOCATION_SITES = 5;

export async function diffTask(
  files: string[],
  top: number,
  ctx: TaskContext = {},
  holders = 0,
): Promise<DiffResult> {
  if (files.length < 2 || files.length > 3)
    throw new HeapscopeError('usage', 'diff takes two or three snapshot files (oldest first).');
  const a = await loadIds(files[0], ctx);
  const b = files.length === 3 ? await loadIds(files[1], ctx) : undefined;
  const lastFile = files[files.length - 1];
  // Naming holders walks retainer chains: the last snapshot needs dominators and distances then.
  const last =
    holders > 0
      ? await loadSnapshot(lastFile, ctx)
      : new HeapSnapshot(
          await parseSnapshotFile(lastFile, {
            signal: ctx.signal,
            onProgress: (readBytes, totalBytes) =>
              ctx.onProgress?.({ phase: 'reading', file: lastFile, readBytes, totalBytes }),
          }),
        );
  // The diff of the last two files; the three-snapshot query over all three.
  const diff = diffSnapshots(b ?? a, last);
  if (top > 0) diff.constructors = diff.constructors.slice(0, top);
  const result: DiffResult = { files, diff };
  if (b) {
    const between = allocatedBetween(a, b, last, 0);
    result.allocatedBetween = {
      total: between.total,
      bytes: between.bytes,
      constructors: (top > 0 ? between.constructors.slice(0, top) : between.constructors).map(
        ({ name, count, bytes }) => ({ name, count, bytes }),
      ),
    };
  }
  if (holders > 0) {
    ctx.onProgress?.({ phase: 'holders', file: lastFile });
    result.holders = growthCandidates(last, a, b, holders);
  }
  const traces = AllocationTraces.of(last);
  if (traces) {
    // The same objects as the holders: new since the first file (and, with three, in the second).
    const ids = last.raw.nodeIds;
    result.allocationSites = traces.sites(
      (o) => !hasId(a, ids[o]) && (b === undefined || hasId(b, ids[o])),
      DIFF_ALLOCATION_SITES,
    );
  }
  return result;
}

export interface RetainersQuery {
  constructorName?: string;
  id?: number;
  /** Objects of the constructor to show paths for (largest retained first). Default 3. */
  objects?: number;
  paths?: number;
}

export interface RetainedObject {
  id: number;
  className: string;
  name: string;
  selfBytes: number;
  retainedBytes: number;
  distance: number;
  location?: SourceFrame;
  paths: RetainerPath[];
  /** Where it was allocated, innermost frame first (snapshots taken with allocation tracking). */
  allocationStack?: AllocationFrame[];
}

export interface RetainersResult {
  file: string;
  query: RetainersQuery;
  matched: number;
  objects: RetainedObject[];
}

export async function retainersTask(
  file: string,
  query: RetainersQuery,
  ctx: TaskContext = {},
): Promise<RetainersResult> {
  const snapshot = await loadSnapshot(file, ctx);
  let ordinals: number[] = [];
  if (query.id !== undefined) {
    const o = snapshot.ordinalOfId(query.id);
    if (o < 0) throw new HeapscopeError('usage', `No object with id @${query.id} in ${file}.`);
    ordinals = [o];
  } else if (query.constructorName) {
    for (let o = 0; o < snapshot.nodeCount; o++)
      if (snapshot.className(o) === query.constructorName) ordinals.push(o);
    // A function name works too (closures are all class 'Function').
    if (ordinals.length === 0)
      for (let o = 0; o < snapshot.nodeCount; o++)
        if (snapshot.nodeType(o) === 'closure' && snapshot.nodeName(o) === query.constructorName)
          ordinals.push(o);
    if (ordinals.length === 0)
      throw new HeapscopeError('usage', `No objects of constructor "${query.constructorName}" in ${file}.`);
  } else throw new HeapscopeError('usage', 'retainers needs --constructor <Name> or --id <N>.');
  const matched = ordinals.length;
  const retained = snapshot.retainedSizes!;
  ordinals.sort((x, y) => retained[y] - retained[x]);
  const locator = new SourceLocator(snapshot);
  const objects = ordinals
    .slice(0, query.objects ?? 3)
    .map((o) => retainedObject(snapshot, o, locator, query.paths ?? 3));
  return { file, query, matched, objects };
}

function retainedObject(
  snapshot: HeapSnapshot,
  o: number,
  locator: SourceLocator,
  paths: number,
): RetainedObject {
  const distance = snapshot.distances![o];
  const object: RetainedObject = {
    id: snapshot.nodeId(o),
    className: snapshot.className(o),
    name: snapshot.nodeName(o),
    selfBytes: snapshot.selfSizes[o],
    retainedBytes: snapshot.retainedSizes![o],
    distance: distance === 0xffffffff ? -1 : distance,
    paths: retainerPaths(snapshot, o, paths),
  };
  const location = locator.nodeFrame(o);
  if (location) object.location = location;
  const traces = AllocationTraces.of(snapshot);
  const trace = traces?.traceOf(o) ?? 0;
  if (trace !== 0) object.allocationStack = traces!.stack(trace);
  return object;
}

export async function growthTask(
  files: string[],
  limit: number,
  ctx: TaskContext = {},
): Promise<GrowthCandidate[]> {
  if (files.length < 2)
    throw new HeapscopeError('usage', 'Growth needs at least two snapshots of one process (oldest first).');
  const first = await loadIds(files[0], ctx);
  const secondToLast = files.length >= 3 ? await loadIds(files[files.length - 2], ctx) : undefined;
  const last = await loadSnapshot(files[files.length - 1], ctx);
  return growthCandidates(last, first, secondToLast, limit);
}

export interface AnalyseResult {
  nodeCount: number;
  edgeCount: number;
  totalBytes: number;
  rootRetainedBytes: number;
  parseMs: number;
  analyseMs: number;
}

/** Parse + dominators + retained sizes only (the benchmark's unit of work). */
export async function analyseTask(file: string, ctx: TaskContext = {}): Promise<AnalyseResult> {
  const t0 = performance.now();
  const raw = await parseSnapshotFile(file, { signal: ctx.signal, keepHelper: true });
  const t1 = performance.now();
  const snapshot = new HeapSnapshot(raw).analyse({ distances: false });
  const t2 = performance.now();
  return {
    nodeCount: snapshot.nodeCount,
    edgeCount: snapshot.edgeCount,
    // Summed by the dominators' own pass over the sizes (a loop of its own here cost ~14 ms).
    totalBytes: snapshot.totalSelfSize,
    rootRetainedBytes: snapshot.retainedSizes![snapshot.rootOrdinal],
    parseMs: Math.round(t1 - t0),
    analyseMs: Math.round(t2 - t1),
  };
}
