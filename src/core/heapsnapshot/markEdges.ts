// The pass over every edge that prepares the dominators (see HeapSnapshot.markNonEssentialEdges):
// marks the edges DevTools ignores, counts essential predecessors and does the first round of the
// shallow-size folding. On big snapshots it runs on two threads, each over half of the edges: a
// helper thread (started early, so its start-up overlaps the page search) takes the second half.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** Node flags shared with snapshot.ts. */
export const PAGE = 1;
export const OWNABLE = 2;
export const UNVISITED = 0xffffffff;
export const MULTIPLE = 0xfffffffe;

export interface MarkJob {
  firstEdge: Uint32Array;
  edgeTo: Uint32Array;
  edgeTypes: Uint8Array;
  edgeNames: Uint32Array;
  nodeIds: Uint32Array | Float64Array;
  /** PAGE | OWNABLE per node. */
  flags: Uint8Array;
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
  const { firstEdge, edgeTo, edgeTypes, edgeNames, nodeIds, flags, nameFlags, tableIds, owners } = job;
  const { root, weak, shortcut, internal, shared } = job;
  // PAGE = 1, OWNABLE = 2, UNVISITED = 0xffffffff, MULTIPLE = 0xfffffffe, NON_ESSENTIAL = 0x80.
  const predCounts = counts ?? new Uint32Array(nodeCount + 2);
  let work = new Uint32Array(owners ? 1 << 16 : 0);
  let wl = 0;
  for (let u = from; u < to; u++) {
    const flagsU = flags[u];
    const pageU = flagsU & 1;
    const isRoot = u === root;
    // Non-ownable nodes own what they point at.
    const owner = owners && !(flagsU & 2) ? u : -1;
    for (let e = firstEdge[u], end = firstEdge[u + 1]; e < end; e++) {
      const type = edgeTypes[e] & 0x7f;
      const v = edgeTo[e];
      const flagsV = flags[v];
      let essential = true;
      if (type === weak || v === u) essential = false;
      else if (type === internal && nameFlags[edgeNames[e]] === 2 && tableIds[edgeNames[e]] === nodeIds[u])
        essential = false; // the table side of a WeakMap ephemeron
      if (essential && !isRoot && (type === shortcut || (flagsV & 1 && !pageU))) essential = false;
      if (essential) {
        edgeTypes[e] = type;
        predCounts[v]++;
      } else edgeTypes[e] = type | 0x80;
      if (owner >= 0 && flagsV & 2 && type !== weak) {
        // Unvisited → this owner → several owners; only a change goes on the work list.
        let current = owners![v];
        let changed = false;
        while (current !== owner && current !== 0xfffffffe) {
          const next = current === 0xffffffff ? owner : 0xfffffffe;
          if (!shared) {
            owners![v] = next;
            changed = true;
            break;
          }
          const seen = Atomics.compareExchange(owners!, v, current, next);
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

// States of the control word shared with the helper.
const WAITING = 0;
const CLAIMED = 1;
const DONE = 2;
const TAKEN_BACK = 3;
const FAILED = 4;

const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const __name = (f) => f; // tsx names inner functions with this helper
const markEdgeRange = (${markEdgeRange.toString()});
const { port, control, arrays } = workerData;
port.once('message', ({ from, to, nodeCount, ...rest }) => {
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
  'firstEdge' | 'edgeTo' | 'edgeTypes' | 'edgeNames' | 'nodeIds' | 'flags' | 'owners'
>;

export interface MarkHelper {
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
  const control = new Int32Array(new SharedArrayBuffer(4));
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
