// Summary by constructor, counted the way DevTools' Summary view counts: nodes with a zero shallow
// size (after folding internals into their owner) are left out, and a class's retained size is the
// sum over its instances that no other instance of the same class dominates (so nested instances
// are not counted twice).
import { classRetainedSizes, groupByClass } from './classes';
import { dominatorChildren } from './dominatorTree';
import type { HeapSnapshot } from './snapshot';
import { UNREACHABLE } from './snapshot';

export interface ConstructorSummary {
  name: string;
  count: number;
  shallowBytes: number;
  retainedBytes: number;
  /** Smallest distance from the GC roots among the instances (-1 when unreachable). */
  distance: number;
  /** Snapshot id (`@id`) of the instance with the largest retained size. */
  largestId: number;
}

/** Constructors every Node heap is full of: say little about a program's own objects. */
const GENERIC_CLASSES = new Set(['global', 'Object', 'Function', 'Array', 'BuiltinModule', 'Module']);

/**
 * V8's own groups ("(compiled code)", "system / Context") and the generic classes every heap is
 * full of: not where a person starts looking for what a program keeps.
 */
export function isInternalClass(name: string): boolean {
  return name === '' || name.startsWith('(') || name.startsWith('system /') || GENERIC_CLASSES.has(name);
}

export interface SnapshotSummary {
  nodeCount: number;
  edgeCount: number;
  totalBytes: number;
  unreachableCount: number;
  constructors: ConstructorSummary[];
}

export function summarize(snapshot: HeapSnapshot): SnapshotSummary {
  // The dominator tree first: meanwhile the helper thread may still be grouping the classes.
  const tree = snapshot.retainedSizes ? dominatorChildren(snapshot) : undefined;
  const classes = groupByClass(snapshot);
  const retained = tree ? classRetainedSizes(snapshot, classes, tree) : undefined;
  const largest = retained?.largest ?? classes.first;
  const nodeIds = snapshot.raw.nodeIds;
  const constructors: ConstructorSummary[] = classes.names.map((name, c) => ({
    name,
    count: classes.counts[c],
    shallowBytes: classes.shallowBytes[c],
    retainedBytes: retained ? retained.retained[c] : 0,
    distance: classes.distances[c] === UNREACHABLE ? -1 : classes.distances[c],
    largestId: nodeIds[largest[c]],
  }));
  constructors.sort((a, b) => b.retainedBytes - a.retainedBytes || b.shallowBytes - a.shallowBytes);
  let totalBytes = snapshot.totalSelfSize;
  if (!snapshot.retainedSizes) {
    totalBytes = 0;
    for (const size of snapshot.selfSizes) totalBytes += size;
  }
  return {
    nodeCount: snapshot.nodeCount,
    edgeCount: snapshot.edgeCount,
    totalBytes,
    unreachableCount: snapshot.unreachableCount,
    constructors,
  };
}
