// Nodes grouped by class the way DevTools' Summary groups them, into typed arrays: the class of
// each node, and per class its count, shallow size and smallest distance, tallied in one pass over
// the nodes (classKeys.ts, on the analysis's helper thread when it can), then one walk of the
// dominator tree for the retained sizes (no Map per node: on the 4M-node bench heap the Map-based
// grouping and walk took ~0.8 s).
import { classCapacity, classKeys, classTally, type ClassKeyJob } from './classKeys';
import { dominatorChildren, type DominatorTree } from './dominatorTree';
import { UNREACHABLE, type HeapSnapshot } from './snapshot';

export interface NodeClasses {
  /** Class of each node + 1; 0 for nodes left out (zero shallow size after folding, as DevTools). */
  classOf: Uint32Array;
  /** Per class, in order of first appearance. */
  names: string[];
  counts: Uint32Array;
  shallowBytes: Float64Array;
  /** Smallest distance from the GC roots among the instances (UNREACHABLE when none is reachable). */
  distances: Uint32Array;
  /** Ordinal of the first instance. */
  first: Uint32Array;
}

/**
 * Groups the nodes by class: DevTools' class name (see HeapSnapshot.className), with detached
 * native objects apart when `detachedness` is given (DevTools lists them as "Detached <name>").
 * The classes come from the analysis's helper thread when it grouped them (the summary asks it
 * to, see AnalyseOptions.classes); this thread then only names them.
 */
export function groupByClass(snapshot: HeapSnapshot, detachedness?: Uint8Array): NodeClasses {
  const { nodeTypes } = snapshot.raw;
  const { native } = snapshot.t;
  const keys =
    (detachedness === undefined && snapshot.classKeysFromHelper()) || classKeysHere(snapshot, detachedness);
  const { classOf, tally } = keys;
  const C = keys.classCount[0];
  const names = new Array<string>(C);
  for (let i = 0; i < C; i++) {
    const o = tally.first[i];
    const detached = detachedness !== undefined && nodeTypes[o] === native && detachedness[o] === 2;
    names[i] = detached ? `Detached ${snapshot.className(o)}` : snapshot.className(o);
  }
  let distances = tally.minDistance.subarray(0, C);
  if (keys.classCount[1] !== 1) distances = smallestDistances(snapshot.distances, classOf, C);
  return {
    classOf,
    names,
    counts: tally.counts.subarray(0, C),
    shallowBytes: tally.shallow.subarray(0, C),
    distances,
    first: tally.first.subarray(0, C),
  };
}

/** Per class, its instances' smallest distance (UNREACHABLE throughout without distances). */
function smallestDistances(
  nodeDistances: Uint32Array | undefined,
  classOf: Uint32Array,
  C: number,
): Uint32Array {
  const distances = new Uint32Array(C).fill(UNREACHABLE);
  if (!nodeDistances) return distances;
  for (let o = 0; o < classOf.length; o++) {
    const c = classOf[o];
    if (c !== 0 && nodeDistances[o] < distances[c - 1]) distances[c - 1] = nodeDistances[o];
  }
  return distances;
}

function classKeysHere(snapshot: HeapSnapshot, detachedness: Uint8Array | undefined): ClassKeyJob {
  const N = snapshot.nodeCount;
  const job: ClassKeyJob = {
    nodeCount: N,
    nodeTypes: snapshot.raw.nodeTypes,
    nodeNames: snapshot.raw.nodeNames,
    selfSizes: snapshot.selfSizes,
    detachedness,
    object: snapshot.t.object,
    native: snapshot.t.native,
    stringCount: snapshot.raw.strings.count,
    // A spare array of the analysis when there is one (its pages are faulted in already).
    classOf: snapshot.takeScratch(N) ?? new Uint32Array(N),
    classCount: new Uint32Array(2),
    tally: classTally(classCapacity(snapshot.raw.strings.count, detachedness !== undefined)),
    distances: snapshot.distances,
  };
  classKeys(job, snapshot.distances !== undefined);
  return job;
}

/** Per class, its retained size, and the instance with the largest retained size. */
export interface ClassRetained {
  retained: Float64Array;
  /** Ordinal of the instance with the largest retained size (the lowest ordinal on a tie). */
  largest: Uint32Array;
}

/**
 * A class's retained size: the sum over its instances that no other instance of the class
 * dominates (so nested instances are not counted twice), found in one walk of the dominator tree
 * that keeps a count of counted ancestors per class. The tree holds every node (unreachable ones
 * hang off the root), so the same walk finds each class's largest instance.
 */
export function classRetainedSizes(
  snapshot: HeapSnapshot,
  classes: NodeClasses,
  tree: DominatorTree = dominatorChildren(snapshot),
): ClassRetained {
  const retained = snapshot.retainedSizes!;
  const { classOf } = classes;
  const { first, children } = tree;
  const C = classes.names.length;
  const sums = new Float64Array(C + 1);
  const active = new Uint32Array(C + 1);
  const largest = new Uint32Array(C + 1).fill(UNREACHABLE);
  // Grown as needed: a stack for every node at once would be 8 bytes a node of fresh pages.
  let stack = new Uint32Array(1 << 16);
  let sp = 0;
  // Entries: node ordinal * 2 (enter) or * 2 + 1 (leave).
  stack[sp++] = snapshot.rootOrdinal * 2;
  while (sp > 0) {
    const entry = stack[--sp];
    const o = entry >>> 1;
    const c = classOf[o];
    if (entry & 1) {
      active[c]--;
      continue;
    }
    if (c !== 0) {
      const size = retained[o];
      const best = largest[c];
      if (best === UNREACHABLE || size > retained[best] || (size === retained[best] && o < best))
        largest[c] = o;
      if (active[c] === 0) {
        sums[c] += size;
        if (first[o] !== first[o + 1]) {
          active[c]++;
          stack[sp++] = o * 2 + 1;
        }
      }
    }
    const end = first[o + 1];
    if (sp + (end - first[o]) + 1 > stack.length) {
      const grown = new Uint32Array(Math.max(stack.length * 2, sp + (end - first[o]) + 1));
      grown.set(stack.subarray(0, sp));
      stack = grown;
    }
    for (let i = first[o]; i < end; i++) stack[sp++] = children[i] * 2;
  }
  return { retained: sums.subarray(1), largest: largest.subarray(1) };
}
