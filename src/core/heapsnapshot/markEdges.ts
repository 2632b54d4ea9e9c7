// The passes over the edges that prepare the dominators (see HeapSnapshot.markNonEssentialEdges):
// mark the edges DevTools ignores and count the essential predecessors of every node.
//
// The page search (which nodes the user roots reach) looks at every edge of every page-owned node
// once, and page-owned nodes are nearly all of a heap: so it marks and counts those edges as it
// goes, for none of DevTools' rules needs more than it knows then. The edges of the few nodes it
// does not reach are marked afterwards, with the page rule (markOutsidePage). On big snapshots that
// runs on a helper thread while this thread marks and counts the edges of the first nodes itself
// (countEdges: by default all of them, so the search only walks). The helper then faults in the
// pages of arrays this thread is about to write and folds the shallow sizes (folding.ts: no count
// and no mark needed, only each edge's type) while this thread computes the dominators, which
// need the sizes only for their last pass.
//
// DevTools' rules (weak, self, shortcut, WeakMap table side) are written out in each function on
// purpose: the helper runs the functions' sources one by one, and a bundler may rename a shared
// function they would call.
import { Worker } from 'node:worker_threads';
import { classKeys, classTally, type ClassKeyJob } from './classKeys';
import { bfsDistances, type DistanceJob } from './distances';
import { findOwners, foldSizes, type SizeFold } from './folding';

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
  /**
   * nodeCount + 2 entries, zero: essential predecessors, counted for the edges of nodes from
   * countFrom on (those below are counted by countEdges into an array of their own, and the page
   * rule's corrections to them are subtracted here: entries wrap modulo 2^32 and are summed so).
   */
  predCounts: Uint32Array;
  nodeCount: number;
  /** The edges of nodes below this one are marked and counted by countEdges, not by the search. */
  countFrom: number;
}

/** All of the marking that needs the page search: the search, then the nodes it did not reach. */
export function searchPageAndMarkRest(job: MarkJob, search: PageSearch): void {
  searchPage(job, search);
  markOutsidePage(job, search.page, search.nodeCount, search.predCounts, search.countFrom);
}

/**
 * Marks and counts the edges of nodes [from, to) by every rule but the page rule (which
 * markOutsidePage applies afterwards to the few nodes it concerns): runs beside the page search.
 */
export function countEdges(job: MarkJob, from: number, to: number, counts: Uint32Array): void {
  const { firstEdge, edgeTo, edgeTypes, edgeNames, nodeIds, nameFlags, tableIds, root } = job;
  const { weak, shortcut, internal } = job;
  const ephemerons = tableIds.length > 0;
  for (let u = from; u < to; u++) {
    const isRoot = u === root;
    for (let e = firstEdge[u], end = firstEdge[u + 1]; e < end; e++) {
      const raw = edgeTypes[e];
      const type = raw & 0x7f;
      const v = edgeTo[e];
      if (
        type === weak ||
        v === u ||
        (type === shortcut && !isRoot) ||
        (ephemerons &&
          type === internal &&
          nameFlags[edgeNames[e]] === 2 &&
          tableIds[edgeNames[e]] === nodeIds[u])
      ) {
        if (raw === type) edgeTypes[e] = type | 0x80;
      } else counts[v]++;
    }
  }
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
  const { starts, page, stack, predCounts, countFrom } = search;
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
    if (u < countFrom) {
      // Marked and counted by countEdges on the other thread: only walked here.
      for (let e = firstEdge[u], end = firstEdge[u + 1]; e < end; e++) {
        if ((edgeTypes[e] & 0x7f) === weak) continue;
        const v = edgeTo[e];
        const bit = 1 << (v & 31);
        if (page[v >>> 5] & bit) continue;
        page[v >>> 5] |= bit;
        stack[sp++] = v;
      }
      continue;
    }
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
  countFrom: number,
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
      const byOtherRules = !(
        type === weak ||
        v === u ||
        (type === shortcut && !isRoot) ||
        (ephemerons &&
          type === internal &&
          nameFlags[edgeNames[e]] === 2 &&
          tableIds[edgeNames[e]] === nodeIds[u])
      );
      const pageRule = !isRoot && (page[v >>> 5] & (1 << (v & 31))) !== 0;
      if (u < countFrom) {
        // countEdges counted it by the other rules: take back what the page rule forbids.
        if (byOtherRules && pageRule) {
          edgeTypes[e] = type | 0x80;
          predCounts[v]--;
        }
      } else if (byOtherRules && !pageRule) predCounts[v]++;
      else if (raw === type) edgeTypes[e] = type | 0x80;
    }
  }
}

// States of the control words: the page search's (0), the folding's (1), the distances' (2) and the
// class keys' (3).
const WAITING = 0;
const CLAIMED = 1;
const DONE = 2;
const TAKEN_BACK = 3;
const FAILED = 4;
/** The folding is done and changed sizes (DONE: none changed). */
const FOLDED = 5;
/** The helper ended before it was given a search (idle too long). */
const ENDED = 6;

/** A helper nobody gives work within this long ends itself (a parse's helper kept for nothing). */
const IDLE_MS = 5000;

/**
 * The helper's code. Self-contained, in a block of its own: it runs in its own worker, or at the
 * end of the two-thread parse's edge helper (parser.ts), which then stays on as this helper and
 * saves a thread's start-up (~30 ms) on the way to the analysis. Expects \`parentPort\` and
 * \`analysisControl\` (the control words, an Int32Array of 4) in scope.
 */
export const PAGE_SEARCH_HELPER_CODE = `{
const __name = (f) => f; // tsx names inner functions with this helper
const searchPage = (${searchPage.toString()});
const markOutsidePage = (${markOutsidePage.toString()});
const findOwners = (${findOwners.toString()});
const foldSizes = (${foldSizes.toString()});
const bfsDistances = (${bfsDistances.toString()});
const classKeys = (${classKeys.toString()});
const control = analysisControl;
// Faults in the pages of arrays the calling thread is about to write, from the far end (it
// writes from the near one). Compare-and-swap of 0 with 0: a write that page-faults like any
// other, and never clobbers a value already written there.
const faultIn = (arrays) => {
  for (const a of arrays) for (let i = a.length - 1; i >= 0; i -= 1024) Atomics.compareExchange(a, i, 0, 0);
};
// Given no work for a while: ends, unless a search was handed over meanwhile.
const idle = setTimeout(() => {
  if (Atomics.compareExchange(control, 0, ${WAITING}, ${ENDED}) === ${WAITING}) parentPort.close();
}, ${IDLE_MS});
// An array of this thread's that it no longer needs (the folding's owners), for the distances.
let spare;
// Messages come in the order the calling thread sent them: the search, arrays to fault in, the
// folding, the distances, the class keys, the end.
parentPort.on('message', ({ job, search, prefault, fold, distances, classes, afterFold, last }) => {
  clearTimeout(idle);
  if (job && Atomics.compareExchange(control, 0, ${WAITING}, ${CLAIMED}) === ${WAITING}) {
    try {
      // As searchPageAndMarkRest does (each function's source is self-contained; a bundler may
      // rename the calls between them).
      searchPage(job, search);
      markOutsidePage(job, search.page, search.nodeCount, search.predCounts, search.countFrom);
      Atomics.store(control, 0, ${DONE});
    } catch {
      Atomics.store(control, 0, ${FAILED});
    }
    Atomics.notify(control, 0);
  }
  if (prefault) faultIn(prefault);
  if (fold && Atomics.compareExchange(control, 1, ${WAITING}, ${CLAIMED}) === ${WAITING}) {
    try {
      // As HeapSnapshot.foldHere does. The owners are garbage once folded: the distances queue
      // in them (their pages are faulted in already).
      const owners = findOwners(fold);
      const folded = foldSizes(fold, owners);
      spare = new Uint32Array(owners.buffer, owners.byteOffset, owners.length);
      Atomics.store(control, 1, folded ? ${FOLDED} : ${DONE});
    } catch {
      // Only findOwners' allocations can fail, before any size changed: the caller folds.
      Atomics.store(control, 1, ${FAILED});
    }
    Atomics.notify(control, 1);
  }
  if (distances && Atomics.compareExchange(control, 2, ${WAITING}, ${CLAIMED}) === ${WAITING}) {
    try {
      const queue = distances.queue ?? (spare && spare.length >= distances.distances.length ? spare : undefined);
      spare = undefined;
      bfsDistances(queue ? { ...distances, queue } : distances);
      Atomics.store(control, 2, ${DONE});
    } catch {
      Atomics.store(control, 2, ${FAILED});
    }
    Atomics.notify(control, 2);
  }
  if (classes && Atomics.compareExchange(control, 3, ${WAITING}, ${CLAIMED}) === ${WAITING}) {
    // They read the folded sizes: only once this thread has folded them (not when the calling
    // thread took the folding back and may still be at it).
    const folded = Atomics.load(control, 1);
    let state = ${FAILED};
    if (!afterFold || folded === ${FOLDED} || folded === ${DONE}) {
      try {
        // The classes' smallest distances too, when this thread computed the distances.
        classKeys(classes, classes.distances !== undefined && Atomics.load(control, 2) === ${DONE});
        state = ${DONE};
      } catch {
        // The calling thread groups them.
      }
    }
    Atomics.store(control, 3, state);
    Atomics.notify(control, 3);
  }
  if (last) parentPort.close();
});
}`;

export interface PageSearchHelper {
  /**
   * Hands the search to the helper: every array of job and search must be shared. Once done, the
   * helper faults in the pages of `prefault` (shared, possibly being written by this thread).
   */
  start(job: MarkJob, search: PageSearch, prefault?: Int32Array[]): void;
  /**
   * Returns once searchPageAndMarkRest's work is done: waits for the helper when it has started it,
   * and does it on this thread when it has not (or failed). True when the helper did it.
   * waitForHelper (tests): give the helper time to start it. While the helper works, `meanwhile`
   * is called instead of waiting for as long as it returns true (a short piece of other work).
   */
  finish(job: MarkJob, search: PageSearch, waitForHelper?: boolean, meanwhile?: () => boolean): boolean;
  /** Has the helper fault in the pages of shared arrays this thread is about to write. */
  prefault(arrays: Int32Array[]): void;
  /** Hands the folding of the shallow sizes to the helper: every array of fold must be shared. */
  fold(fold: SizeFold): void;
  /**
   * Returns once the folding is done: waits for the helper when it has started it, and does it on
   * this thread when it has not (or failed). `changed`: sizes changed (fold.rawSelfSizes then
   * holds them as they were). waitForHelper (tests): give the helper time to start it.
   */
  finishFold(fold: SizeFold, waitForHelper?: boolean): { changed: boolean; onHelper: boolean };
  /** Hands the distances to the helper (after the folding): every array of job must be shared. */
  distances(job: DistanceJob): void;
  /**
   * Returns once job.distances holds the distances: waits for the helper when it has started
   * them, computes them on this thread when it has not (or failed). True when the helper did.
   * waitForHelper (tests): give the helper time to start them.
   */
  finishDistances(job: DistanceJob, waitForHelper?: boolean): boolean;
  /**
   * Hands the class keys to the helper (after the distances): every array of job must be shared.
   * afterFold: the helper was handed the folding, whose sizes they read.
   */
  classKeys(job: ClassKeyJob, afterFold: boolean): void;
  /**
   * Returns once job holds the class keys: waits for the helper when it has started them, and
   * computes them on this thread when it has not (or could not). True when the helper did.
   * waitForHelper (tests): give the helper time to start them.
   */
  finishClassKeys(job: ClassKeyJob, waitForHelper?: boolean): boolean;
  /** Ends the helper once it has done what was asked for before (it never blocks the exit). */
  stop(): void;
  /** Not given a search yet, and not ended. */
  waiting(): boolean;
}

/** True when every array can be shared with a helper thread. */
export function canShare(arrays: ArrayLike<number>[]): boolean {
  return arrays.every((a) => (a as Uint8Array).buffer instanceof SharedArrayBuffer);
}

/** Control words for a helper (see PAGE_SEARCH_HELPER_CODE). */
export function helperControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(16));
}

/** Starts the helper thread now (its start-up overlaps the work before `start`). */
export function startPageSearchHelper(): PageSearchHelper | undefined {
  const control = helperControl();
  let worker: Worker;
  try {
    worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
const analysisControl = workerData.control;
${PAGE_SEARCH_HELPER_CODE}`,
      { eval: true, workerData: { control } },
    );
  } catch {
    return undefined;
  }
  return adoptPageSearchHelper(worker, control);
}

const keptHelpers = new WeakMap<object, PageSearchHelper>();

/** Keeps a helper (a two-thread parse's edge helper) for the analysis of what it parsed. */
export function keepHelperFor(parsed: object, helper: PageSearchHelper): void {
  keptHelpers.set(parsed, helper);
}

/** The helper kept for this parse, once, if it is still waiting for work. */
export function takeHelperFor(parsed: object): PageSearchHelper | undefined {
  const helper = keptHelpers.get(parsed);
  keptHelpers.delete(parsed);
  if (helper?.waiting()) return helper;
  helper?.stop();
  return undefined;
}

/** The helper interface around a worker that runs PAGE_SEARCH_HELPER_CODE with these control words. */
export function adoptPageSearchHelper(worker: Worker, control: Int32Array): PageSearchHelper {
  // Never keeps the process alive; its failures show in the control word.
  worker.unref();
  worker.on('error', () => undefined);
  /**
   * The final state of control word i: takes the part back if the helper has not started it, and
   * waits while the helper works on it (calling `meanwhile` instead for as long as it returns
   * true). waitForHelper (tests): give the helper time to start it.
   */
  const settle = (i: number, waitForHelper?: boolean, meanwhile?: () => boolean): number => {
    if (waitForHelper) Atomics.wait(control, i, WAITING, 30_000);
    let state = Atomics.compareExchange(control, i, WAITING, TAKEN_BACK);
    while (state === CLAIMED) {
      if (!meanwhile?.()) Atomics.wait(control, i, CLAIMED, 1000);
      state = Atomics.load(control, i);
    }
    return state;
  };
  return {
    waiting: () => Atomics.load(control, 0) === WAITING,
    start: (job, search, prefault) => worker.postMessage({ job, search, prefault }),
    finish: (job, search, waitForHelper, meanwhile) => {
      const state = settle(0, waitForHelper, meanwhile);
      if (state === DONE) return true;
      // Not started (taken back) or failed half-way (its counts are partial: start over).
      if (state === FAILED) {
        search.page.fill(0);
        search.predCounts.fill(0);
      }
      searchPageAndMarkRest(job, search);
      return false;
    },
    prefault: (arrays) => worker.postMessage({ prefault: arrays }),
    fold: (fold) => worker.postMessage({ fold }),
    finishFold: (fold, waitForHelper) => {
      const state = settle(1, waitForHelper);
      if (state === FOLDED || state === DONE) return { changed: state === FOLDED, onHelper: true };
      return { changed: foldSizes(fold, findOwners(fold)), onHelper: false };
    },
    distances: (job) => worker.postMessage({ distances: job }),
    finishDistances: (job, waitForHelper) => {
      if (settle(2, waitForHelper) === DONE) return true;
      bfsDistances(job);
      return false;
    },
    classKeys: (job, afterFold) => worker.postMessage({ classes: job, afterFold }),
    finishClassKeys: (job, waitForHelper) => {
      if (settle(3, waitForHelper) === DONE) return true;
      // Fresh tallies: a helper that failed may have counted some nodes.
      job.tally = classTally(job.tally.counts.length);
      classKeys(job, job.distances !== undefined);
      return false;
    },
    // Not terminate(): that would cut short what was asked for. Unreferenced, the helper never
    // keeps the process alive.
    stop: () => worker.postMessage({ last: true }),
  };
}
