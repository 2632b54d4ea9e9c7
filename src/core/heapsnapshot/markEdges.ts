// The passes over the edges that prepare the dominators (see HeapSnapshot.markNonEssentialEdges):
// mark the edges DevTools ignores, count essential predecessors and lay the counts out.
//
// The page search (which nodes the user roots reach) looks at every edge of every page-owned node
// once, and page-owned nodes are nearly all of a heap: so it marks and counts those edges as it
// goes, for none of DevTools' rules needs more than it knows then. The edges of the few nodes it
// does not reach are marked afterwards, with the page rule (markOutsidePage), and the counts are
// laid out for the dominators' predecessor lists. On big snapshots all of that runs on a helper
// thread while this thread folds the shallow sizes (folding.ts), which needs no count and no mark
// (only each edge's type, not its mark bit).
import { Worker } from 'node:worker_threads';
import { layOutPredecessors } from './dominators';

/** What the marking rules read. */
export interface MarkJob {
  firstEdge: Uint32Array;
  edgeTo: Uint32Array;
  edgeTypes: Uint8Array;
  edgeNames: Uint32Array;
  nodeIds: Uint32Array | Float64Array;
  /** Per string: 2 when it is a WeakMap ephemeron edge name (its table id in tableIds). */
  nameFlags: Uint8Array;
  tableIds: Float64Array;
  root: number;
  weak: number;
  shortcut: number;
  internal: number;
}

export interface PageSearch {
  /** The user roots (and a browser heap's DOM trees). */
  starts: Uint32Array;
  /**
   * One bit per node (bit v & 31 of word v >>> 5), zero: set for each page-owned node. A bit set
   * (0.5 MB for 4M nodes) rather than a byte per node: the search tests it once per edge at a
   * random place, and it stays in the core's cache.
   */
  page: Uint32Array;
  /** Room for every node. */
  stack: Uint32Array;
  /** nodeCount + 2 entries, zero: essential predecessors, counted. */
  predCounts: Uint32Array;
  nodeCount: number;
  /** 2 * (nodeCount + 2) entries: the dominators' predecessor layout, written last. */
  layout: Uint32Array;
}

/**
 * All of the marking that needs the page search, and what follows from the counts: the search,
 * the edges of the nodes it did not reach, and the dominators' predecessor layout.
 */
export function searchPageAndLayOut(job: MarkJob, search: PageSearch): void {
  searchPage(job, search);
  markOutsidePage(job, search.page, search.nodeCount, search.predCounts);
  layOutPredecessors(search.predCounts, search.nodeCount, search.layout);
}

/**
 * Marks page[v] = 1 for every node reachable from the starts along non-weak edges and, on the way,
 * marks the edges of those nodes and counts their essential ones. From a page-owned node an edge
 * is not essential when it is weak, points at its own node, is a shortcut, or is the table side
 * of a WeakMap ephemeron (the page rule never applies to them); the root's shortcuts stay
 * essential. Self-contained (no imports, no inner functions, constants written out:
 * NON_ESSENTIAL = 0x80) because its source is also run by the helper thread. Edge marks are only
 * ever set, so a search that failed half-way can run again.
 */
export function searchPage(job: MarkJob, search: PageSearch): void {
  const { firstEdge, edgeTo, edgeTypes, edgeNames, nodeIds, nameFlags, tableIds } = job;
  const { root, weak, shortcut, internal } = job;
  const { starts, page, stack, predCounts } = search;
  // Most heaps have no WeakMap entries, and most edges are internal: then no name is looked up.
  const ephemerons = tableIds.length > 0;
  let sp = 0;
  for (let i = 0; i < starts.length; i++) {
    const target = starts[i];
    const bit = 1 << (target & 31);
    if (page[target >>> 5] & bit) continue;
    page[target >>> 5] |= bit;
    stack[sp++] = target;
  }
  while (sp > 0) {
    const u = stack[--sp];
    for (let e = firstEdge[u], end = firstEdge[u + 1]; e < end; e++) {
      const raw = edgeTypes[e];
      const type = raw & 0x7f;
      if (type === weak) {
        if (raw === type) edgeTypes[e] = type | 0x80;
        continue;
      }
      const v = edgeTo[e];
      if (
        v === u ||
        (type === shortcut && u !== root) ||
        (ephemerons &&
          type === internal &&
          nameFlags[edgeNames[e]] === 2 &&
          tableIds[edgeNames[e]] === nodeIds[u])
      ) {
        if (raw === type) edgeTypes[e] = type | 0x80;
      } else predCounts[v]++;
      const bit = 1 << (v & 31);
      if (page[v >>> 5] & bit) continue;
      page[v >>> 5] |= bit;
      stack[sp++] = v;
    }
  }
}

/**
 * Marks and counts the edges of the nodes the page search did not reach: DevTools' rules, the
 * page rule included (an edge into a page-owned node from one that is not, other than the root,
 * is not essential). The root's shortcuts to the user roots stay essential.
 */
export function markOutsidePage(
  job: MarkJob,
  page: Uint32Array,
  nodeCount: number,
  predCounts: Uint32Array,
): void {
  const { firstEdge, edgeTo, edgeTypes, edgeNames, nodeIds, nameFlags, tableIds, root } = job;
  const { weak, shortcut, internal } = job;
  const ephemerons = tableIds.length > 0;
  // Whole words of page-owned nodes are skipped: the others are few.
  for (let u = 0; u < nodeCount; u++) {
    const word = page[u >>> 5];
    if (word === 0xffffffff) {
      u |= 31;
      continue;
    }
    if (word & (1 << (u & 31))) continue;
    const isRoot = u === root;
    for (let e = firstEdge[u], end = firstEdge[u + 1]; e < end; e++) {
      const raw = edgeTypes[e];
      const type = raw & 0x7f;
      const v = edgeTo[e];
      const essential = !(
        type === weak ||
        v === u ||
        (type === shortcut && !isRoot) ||
        (page[v >>> 5] & (1 << (v & 31)) && !isRoot) ||
        (ephemerons &&
          type === internal &&
          nameFlags[edgeNames[e]] === 2 &&
          tableIds[edgeNames[e]] === nodeIds[u])
      );
      if (essential) predCounts[v]++;
      else if (raw === type) edgeTypes[e] = type | 0x80;
    }
  }
}

// States of the page search's control word.
const WAITING = 0;
const CLAIMED = 1;
const DONE = 2;
const TAKEN_BACK = 3;
const FAILED = 4;

const HELPER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const __name = (f) => f; // tsx names inner functions with this helper
const searchPage = (${searchPage.toString()});
const markOutsidePage = (${markOutsidePage.toString()});
const layOutPredecessors = (${layOutPredecessors.toString()});
const { control } = workerData;
parentPort.once('message', ({ job, search }) => {
  if (Atomics.compareExchange(control, 0, ${WAITING}, ${CLAIMED}) !== ${WAITING}) return;
  try {
    // As searchPageAndLayOut does (each function's source is self-contained; a bundler may rename
    // the calls between them).
    searchPage(job, search);
    markOutsidePage(job, search.page, search.nodeCount, search.predCounts);
    layOutPredecessors(search.predCounts, search.nodeCount, search.layout);
    Atomics.store(control, 0, ${DONE});
  } catch {
    Atomics.store(control, 0, ${FAILED});
  }
  Atomics.notify(control, 0);
});
`;

export interface PageSearchHelper {
  /** Hands the search to the helper: every array of job and search must be shared. */
  start(job: MarkJob, search: PageSearch): void;
  /**
   * Returns once searchPageAndLayOut's work is done: waits for the helper when it has started it,
   * and does it on this thread when it has not (or failed). True when the helper did it.
   * waitForHelper (tests): give the helper time to start it.
   */
  finish(job: MarkJob, search: PageSearch, waitForHelper?: boolean): boolean;
  stop(): void;
}

/** True when every array can be shared with a helper thread. */
export function canShare(arrays: ArrayLike<number>[]): boolean {
  return arrays.every((a) => (a as Uint8Array).buffer instanceof SharedArrayBuffer);
}

/** Starts the helper thread now (its start-up overlaps the work before `start`). */
export function startPageSearchHelper(): PageSearchHelper | undefined {
  const control = new Int32Array(new SharedArrayBuffer(4));
  let worker: Worker;
  try {
    worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { control } });
  } catch {
    return undefined;
  }
  // Never keeps the process alive; its failures show in the control word.
  worker.unref();
  worker.on('error', () => undefined);
  return {
    start: (job, search) => worker.postMessage({ job, search }),
    finish: (job, search, waitForHelper) => {
      if (waitForHelper) Atomics.wait(control, 0, WAITING, 30_000);
      let state = Atomics.compareExchange(control, 0, WAITING, TAKEN_BACK);
      while (state === CLAIMED) {
        Atomics.wait(control, 0, CLAIMED, 1000);
        state = Atomics.load(control, 0);
      }
      if (state === DONE) return true;
      // Not started (taken back) or failed half-way (its counts are partial: start over).
      if (state === FAILED) {
        search.page.fill(0);
        search.predCounts.fill(0);
      }
      searchPageAndLayOut(job, search);
      return false;
    },
    stop: () => void worker.terminate(),
  };
}
