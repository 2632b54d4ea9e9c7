// Nodes grouped by class the way DevTools' Summary groups them, into typed arrays: the class of
// each node (classKeys.ts), and per class its count, shallow size, smallest distance and retained
// size, tallied in one pass over the nodes, then one walk of the dominator tree (no Map per node:
// on the 4M-node bench heap the Map-based grouping and walk took ~0.8 s, these ~0.2 s).
import { classKeys, type ClassKeyJob } from './classKeys';
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
  /** Ordinal of the instance with the largest retained size (the first one found on a tie). */
  largest: Uint32Array;
}

/**
 * Groups the nodes by class: DevTools' class name (see HeapSnapshot.className), with detached
 * native objects apart when `detachedness` is given (DevTools lists them as "Detached <name>").
 * The classes of the nodes come from the analysis's helper thread when it grouped them (the
 * summary asks it to, see AnalyseOptions.classes); this thread then tallies them.
 */
export function groupByClass(snapshot: HeapSnapshot, detachedness?: Uint8Array): NodeClasses {
  const N = snapshot.nodeCount;
  const sizes = snapshot.selfSizes;
  const nodeDistances = snapshot.distances;
  const retained = snapshot.retainedSizes;
  const { nodeTypes } = snapshot.raw;
  const { native } = snapshot.t;
  const keys =
    (detachedness === undefined && snapshot.classKeysFromHelper()) || classKeysHere(snapshot, detachedness);
  const { classOf } = keys;
  const C = keys.classCount[0];
  const names = new Array<string>(C);
  const counts = new Uint32Array(C);
  const shallow = new Float64Array(C);
  const distances = new Uint32Array(C).fill(UNREACHABLE);
  const largest = new Uint32Array(C);
  for (let o = 0; o < N; o++) {
    const c = classOf[o];
    if (c === 0) continue;
    const i = c - 1;
    if (counts[i] === 0) {
      const detached = detachedness !== undefined && nodeTypes[o] === native && detachedness[o] === 2;
      names[i] = detached ? `Detached ${snapshot.className(o)}` : snapshot.className(o);
      largest[i] = o;
    }
    counts[i]++;
    shallow[i] += sizes[o];
    if (nodeDistances) {
      const d = nodeDistances[o];
      if (d < distances[i]) distances[i] = d;
    }
    if (retained && retained[o] > retained[largest[i]]) largest[i] = o;
  }
  return { classOf, names, counts, shallowBytes: shallow, distances, largest };
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
    classCount: new Uint32Array(1),
  };
  classKeys(job);
  return job;
}

/**
 * A class's retained size: the sum over its instances that no other instance of the class
 * dominates (so nested instances are not counted twice), found in one walk of the dominator tree
 * that keeps a count of counted ancestors per class.
 */
export function classRetainedSizes(
  snapshot: HeapSnapshot,
  classes: NodeClasses,
  tree: DominatorTree = dominatorChildren(snapshot),
): Float64Array {
  const retained = snapshot.retainedSizes!;
  const { classOf } = classes;
  const { first, children } = tree;
  const sums = new Float64Array(classes.names.length + 1);
  const active = new Uint32Array(classes.names.length + 1);
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
    if (c !== 0 && active[c] === 0) {
      sums[c] += retained[o];
      if (first[o] !== first[o + 1]) {
        active[c]++;
        stack[sp++] = o * 2 + 1;
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
  return sums.subarray(1);
}
