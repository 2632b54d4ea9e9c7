// Summary by constructor, counted the way DevTools' Summary view counts: nodes with a zero shallow
// size (after folding internals into their owner) are left out, and a class's retained size is the
// sum over its instances that no other instance of the same class dominates (so nested instances
// are not counted twice).
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

/** Children of each node in the dominator tree (CSR). */
export function dominatorChildren(snapshot: HeapSnapshot): { first: Uint32Array; children: Uint32Array } {
  const dom = snapshot.dominators!;
  const N = snapshot.nodeCount;
  const first = new Uint32Array(N + 1);
  for (let o = 0; o < N; o++) if (o !== snapshot.rootOrdinal) first[dom[o]]++;
  let total = 0;
  for (let o = 0; o < N; o++) {
    total += first[o];
    first[o] = total;
  }
  first[N] = total;
  const children = new Uint32Array(total);
  for (let o = N - 1; o >= 0; o--) if (o !== snapshot.rootOrdinal) children[--first[dom[o]]] = o;
  return { first, children };
}

export function summarize(snapshot: HeapSnapshot): SnapshotSummary {
  const N = snapshot.nodeCount;
  const sizes = snapshot.selfSizes;
  const retained = snapshot.retainedSizes!;
  const distances = snapshot.distances;
  const byKey = new Map<number, ConstructorSummary>();
  const largest = new Map<number, number>();
  let totalBytes = 0;
  for (let o = 0; o < N; o++) {
    const size = sizes[o];
    totalBytes += size;
    if (!size) continue;
    const key = snapshot.classKey(o);
    let entry = byKey.get(key);
    const d = distances ? distances[o] : UNREACHABLE;
    const distance = d === UNREACHABLE ? -1 : d;
    if (!entry) {
      entry = {
        name: snapshot.className(o),
        count: 0,
        shallowBytes: 0,
        retainedBytes: 0,
        distance,
        largestId: snapshot.nodeId(o),
      };
      byKey.set(key, entry);
      largest.set(key, o);
    } else if (retained[o] > retained[largest.get(key)!]) {
      largest.set(key, o);
      entry.largestId = snapshot.nodeId(o);
    }
    entry.count++;
    entry.shallowBytes += size;
    if (distance >= 0 && (entry.distance < 0 || distance < entry.distance)) entry.distance = distance;
  }
  // Walk the dominator tree, counting an instance only when no dominating instance of its class
  // was counted. `active` counts how many counted ancestors each class has on the current path.
  const { first, children } = dominatorChildren(snapshot);
  const active = new Map<number, number>();
  const stack = new Uint32Array(N * 2);
  let sp = 0;
  // Entries: node ordinal * 2 (enter) or * 2 + 1 (leave).
  stack[sp++] = snapshot.rootOrdinal * 2;
  while (sp > 0) {
    const entry = stack[--sp];
    const o = entry >>> 1;
    if (entry & 1) {
      const key = snapshot.classKey(o);
      const count = active.get(key)! - 1;
      if (count === 0) active.delete(key);
      else active.set(key, count);
      continue;
    }
    if (sizes[o]) {
      const key = snapshot.classKey(o);
      if (!active.has(key)) {
        byKey.get(key)!.retainedBytes += retained[o];
        if (first[o] !== first[o + 1]) {
          active.set(key, 1);
          stack[sp++] = o * 2 + 1;
        }
      }
    }
    for (let i = first[o]; i < first[o + 1]; i++) stack[sp++] = children[i] * 2;
  }
  const constructors = [...byKey.values()].sort(
    (a, b) => b.retainedBytes - a.retainedBytes || b.shallowBytes - a.shallowBytes,
  );
  return {
    nodeCount: N,
    edgeCount: snapshot.edgeCount,
    totalBytes,
    unreachableCount: snapshot.unreachableCount,
    constructors,
  };
}
