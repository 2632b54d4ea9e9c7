// The pass over every edge that prepares the dominators (see HeapSnapshot.markNonEssentialEdges):
// marks the edges DevTools ignores, counts essential predecessors and does the first round of the
// shallow-size folding. On big snapshots it runs on two threads, each over half of the edges: a
// helper thread takes the second half. Before that the helper does the page search (which nodes
// the user roots reach) while this thread flags the ownable nodes and reads the WeakMap names.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** Node flags shared with snapshot.ts. */
export const OWNABLE = 2;
export const UNVISITED = 0xffffffff;
export const MULTIPLE = 0xfffffffe;

export interface MarkJob {
  firstEdge: Uint32Array;
  edgeTo: Uint32Array;
  edgeTypes: Uint8Array;
  edgeNames: Uint32Array;
  nodeIds: Uint32Array | Float64Array;
  /** OWNABLE per node. */
  flags: Uint8Array;
  /** 1 per page-owned node (see pageSearch). */
  page: Uint8Array;
  /** Per string: 2 when it is a WeakMap ephemeron edge name (its table id in tableIds). */
  nameFlags: Uint8Array;
  tableIds: Float64Array;
  /** Folding owners (node itself, UNVISITED or MULTIPLE); undefined when nothing is folded. */
  owners: Uint32Array | undefined;
  root: number;
  weak: number;
  shortcut: number;
  internal: number;
  /** Owners are shared with another thread: change them by compare-and-swap. */
  shared: boolean;
}

export interface MarkResult {
  /** Essential predecessors per node (nodeCount + 2 entries). */
  predCounts: Uint32Array;
  /** Ownable nodes whose owner this pass changed (the folding's work list), `length` of them. */
  work: Uint32Array;
  length: number;
  /** An array of nodeCount + 2 entries no longer needed (for the next phase to reuse). */
  spare?: Uint32Array;
  /** Threads that did the work (2 when the helper did its half). */
  threads?: number;
}

/**
 * Marks the edges of nodes [from, to). Self-contained (no imports, no inner functions, constants
 * written out) because its source is also run by the helper thread.
 */
export function markEdgeRange(
  job: MarkJob,
  from: number,
  to: number,
  nodeCount: number,
  /** Zeroed array of nodeCount + 2 entries to count into (else a new one). */
  counts?: Uint32Array,
): MarkResult {
  const { firstEdge, edgeTo, edgeTypes, edgeNames, nodeIds, flags, page, nameFlags, tableIds, owners } = job;
  const { root, weak, shortcut, internal, shared } = job;
  // OWNABLE = 2, UNVISITED = 0xffffffff, MULTIPLE = 0xfffffffe, NON_ESSENTIAL = 0x80.
  const predCounts = counts ?? new Uint32Array(nodeCount + 2);
  let work = new Uint32Array(owners ? 1 << 16 : 0);
  let wl = 0;
  const signedOwners = owners && new Int32Array(owners.buffer, owners.byteOffset, owners.length);
  // Most heaps have no WeakMap entries, and most edges are internal: then no name is looked up.
  const ephemerons = tableIds.length > 0;
  for (let u = from; u < to; u++) {
    const flagsU = flags[u];
    const pageU = page[u];
    const isRoot = u === root;
    // Non-ownable nodes own what they point at.
    const owner = owners && !(flagsU & 2) ? u : -1;
    for (let e = firstEdge[u], end = firstEdge[u + 1]; e < end; e++) {
      const raw = edgeTypes[e];
      const type = raw & 0x7f;
      const v = edgeTo[e];
      let essential = true;
      if (type === weak || v === u) essential = false;
      else if (
        ephemerons &&
        type === internal &&
        nameFlags[edgeNames[e]] === 2 &&
        tableIds[edgeNames[e]] === nodeIds[u]
      )
        essential = false; // the table side of a WeakMap ephemeron
      // Into a page-owned node from one that is not (most nodes are page-owned: page[v] is rarely read).
      if (essential && !isRoot && (type === shortcut || (!pageU && page[v]))) essential = false;
      // The bit is written only when it changes (the parse leaves it clear).
      if (essential) {
        if (raw !== type) edgeTypes[e] = type;
        predCounts[v]++;
      } else if (raw === type) edgeTypes[e] = type | 0x80;
      if (owner >= 0 && type !== weak && flags[v] & 2) {
        // Unvisited → this owner → several owners; only a change goes on the work list. Read
        // as int32 (UNVISITED -1, MULTIPLE -2): as uint32 those values are past V8's small
        // integers, and every compare-and-swap returning one allocated a heap number (the
        // calling thread scavenged every few milliseconds through this loop).
        let current = signedOwners![v];
        let changed = false;
        while (current !== owner && current !== -2) {
          const next = current === -1 ? owner : -2;
          if (!shared) {
            signedOwners![v] = next;
            changed = true;
            break;
          }
          const seen = Atomics.compareExchange(signedOwners!, v, current, next);
          if (seen === current) {
            changed = true;
            break;
          }
          current = seen;
        }
        if (changed) {
          if (wl === work.length) {
            const grown = new Uint32Array(work.length * 2);
            grown.set(work);
            work = grown;
          }
          work[wl++] = v;
        }
      }
    }
  }
  return { predCounts, work, length: wl };
}

/**
 * Marks page[v] = 1 for every node reachable from `starts` along non-weak edges. Self-contained
 * (its source is also run by the helper thread). `stack` has room for every node.
 */
export function pageSearch(
  firstEdge: Uint32Array,
  edgeTo: Uint32Array,
  edgeTypes: Uint8Array,
  weak: number,
  starts: ArrayLike<number>,
  page: Uint8Array,
  stack: Uint32Array,
): void {
  let sp = 0;
  for (let i = 0; i < starts.length; i++) {
    const target = starts[i];
    if (page[target]) continue;
    page[target] = 1;
    stack[sp++] = target;
  }
  while (sp > 0) {
    const u = stack[--sp];
    for (let e = firstEdge[u], end = firstEdge[u + 1]; e < end; e++) {
      const v = edgeTo[e];
      if (page[v] || (edgeTypes[e] & 0x7f) === weak) continue;
      page[v] = 1;
      stack[sp++] = v;
    }
  }
}

// States of the control words shared with the helper (one for the mark, one for the page search).
const WAITING = 0;
const CLAIMED = 1;
const DONE = 2;
const TAKEN_BACK = 3;
const FAILED = 4;

const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const __name = (f) => f; // tsx names inner functions with this helper
const markEdgeRange = (${markEdgeRange.toString()});
const pageSearch = (${pageSearch.toString()});
const { port, control, arrays } = workerData;
port.on('message', ({ kind, from, to, nodeCount, ...rest }) => {
  if (kind === 'page') {
    if (Atomics.compareExchange(control, 1, ${WAITING}, ${CLAIMED}) !== ${WAITING}) return;
    try {
      const { firstEdge, edgeTo, edgeTypes } = arrays;
      pageSearch(firstEdge, edgeTo, edgeTypes, rest.weak, rest.starts, rest.page, rest.stack);
      Atomics.store(control, 1, ${DONE});
    } catch {
      Atomics.store(control, 1, ${FAILED});
    }
    Atomics.notify(control, 1);
    return;
  }
  if (Atomics.compareExchange(control, 0, ${WAITING}, ${CLAIMED}) !== ${WAITING}) return port.close();
  Atomics.notify(control, 0);
  try {
    const result = markEdgeRange({ ...arrays, ...rest }, from, to, nodeCount);
    port.postMessage(result, [result.predCounts.buffer, result.work.buffer]);
    Atomics.store(control, 0, ${DONE});
  } catch {
    Atomics.store(control, 0, ${FAILED});
  }
  Atomics.notify(control, 0);
  port.close();
});
`;

/** The arrays the helper needs from the start (all on SharedArrayBuffers). */
export type SharedMarkArrays = Pick<
  MarkJob,
  'firstEdge' | 'edgeTo' | 'edgeTypes' | 'edgeNames' | 'nodeIds' | 'flags' | 'page' | 'owners'
>;

export interface PageSearchJob {
  weak: number;
  starts: Uint32Array;
  /** Shared: one byte per node, zero. */
  page: Uint8Array;
  /** Shared: room for every node. */
  stack: Uint32Array;
}

export interface MarkHelper {
  /** Hands the page search to the helper (see finishPageSearch). */
  startPageSearch(job: PageSearchJob): void;
  /**
   * Returns once `job.page` is complete: waits for the helper when it has started the search,
   * and does the search on this thread when it has not (or failed). True when the helper did it.
   * waitForHelper (tests): give the helper time to start it.
   */
  finishPageSearch(
    job: PageSearchJob,
    arrays: Pick<MarkJob, 'firstEdge' | 'edgeTo' | 'edgeTypes'>,
    waitForHelper?: boolean,
  ): boolean;
  /**
   * Marks nodes [0, nodeCount) with the helper taking [split, nodeCount), and merges: predecessor
   * counts summed, work lists joined. When the helper has not started its half by the time this
   * thread is done with its own, this thread takes it back. Undefined when the helper failed
   * half-way: the owners are then in an unknown state, and the caller starts over on one thread.
   */
  /** The caller stops the helper once this returns (see stop). */
  run(
    job: MarkJob,
    split: number,
    nodeCount: number,
    counts?: Uint32Array,
    waitForHelper?: boolean,
  ): MarkResult | undefined;
  stop(): void;
}

/** True when every array the helper reads or writes can be shared with it. */
export function canShare(arrays: Partial<SharedMarkArrays>): boolean {
  return Object.values(arrays).every((a) => a === undefined || a.buffer instanceof SharedArrayBuffer);
}

/** Starts the helper thread now (its start-up overlaps the work before `run`). */
export function startMarkHelper(arrays: SharedMarkArrays): MarkHelper | undefined {
  const control = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  let worker: Worker;
  try {
    worker = new Worker(HELPER_SOURCE, {
      eval: true,
      workerData: { port: port2, control, arrays },
      transferList: [port2],
    });
  } catch {
    port1.close();
    return undefined;
  }
  // Never keeps the process alive; its failures show in the control word.
  worker.unref();
  worker.on('error', () => undefined);
  const stop = (): void => {
    port1.close();
    void worker.terminate();
  };
  return {
    startPageSearch: (job) => port1.postMessage({ kind: 'page', ...job }),
    finishPageSearch: (job, { firstEdge, edgeTo, edgeTypes }, waitForHelper) => {
      if (waitForHelper) Atomics.wait(control, 1, WAITING, 30_000);
      let state = Atomics.compareExchange(control, 1, WAITING, TAKEN_BACK);
      while (state === CLAIMED) {
        Atomics.wait(control, 1, CLAIMED, 1000);
        state = Atomics.load(control, 1);
      }
      if (state === DONE) return true;
      // Not started (taken back) or failed half-way (then its marks are not closed: start over).
      if (state === FAILED) job.page.fill(0);
      pageSearch(firstEdge, edgeTo, edgeTypes, job.weak, job.starts, job.page, job.stack);
      return false;
    },
    run: (job, split, nodeCount, counts, waitForHelper) =>
      runWithHelper(job, split, nodeCount, control, port1, counts, waitForHelper),
    stop,
  };
}

function runWithHelper(
  job: MarkJob,
  split: number,
  nodeCount: number,
  control: Int32Array,
  port: MessagePort,
  counts: Uint32Array | undefined,
  waitForHelper = false,
): MarkResult | undefined {
  // The shared arrays went with the helper's start; the rest goes now.
  const { nameFlags, tableIds, root, weak, shortcut, internal } = job;
  port.postMessage({
    nameFlags,
    tableIds,
    root,
    weak,
    shortcut,
    internal,
    shared: true,
    from: split,
    to: nodeCount,
    nodeCount,
  });
  // Told to use two threads whatever the size (tests): let the helper claim its half first.
  if (waitForHelper) Atomics.wait(control, 0, WAITING, 30_000);
  const mine = markEdgeRange(job, 0, split, nodeCount, counts);
  if (Atomics.compareExchange(control, 0, WAITING, TAKEN_BACK) === WAITING)
    return { ...merge(mine, markEdgeRange(job, split, nodeCount, nodeCount), nodeCount), threads: 1 };
  while (Atomics.load(control, 0) === CLAIMED) Atomics.wait(control, 0, CLAIMED, 1000);
  const theirs = receiveMessageOnPort(port)?.message as MarkResult | undefined;
  if (Atomics.load(control, 0) !== DONE || !theirs) return undefined;
  return { ...merge(mine, theirs, nodeCount), threads: 2 };
}

/** Sums b's counts into a's and joins the work lists; b's count array is handed back as spare. */
function merge(a: MarkResult, b: MarkResult, nodeCount: number): MarkResult {
  const counts = a.predCounts;
  const other = b.predCounts;
  for (let i = 0; i < nodeCount; i++) counts[i] += other[i];
  const work = new Uint32Array(a.length + b.length + 2);
  work.set(a.work.subarray(0, a.length));
  work.set(b.work.subarray(0, b.length), a.length);
  return { predCounts: counts, work, length: a.length + b.length, spare: other };
}
