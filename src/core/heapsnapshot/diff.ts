// Diffs by object id. V8 keeps an object's id across snapshots of one process, so "new" is an id
// the earlier snapshot lacks, "freed" one the later snapshot lacks. Id sets are sorted typed arrays
// (binary search), so an earlier snapshot can be dropped once its ids are extracted.
import type { HeapSnapshot } from './snapshot';

export interface ConstructorDiff {
  name: string;
  newCount: number;
  newBytes: number;
  freedCount: number;
  freedBytes: number;
  survivingCount: number;
  survivingBytes: number;
  countDelta: number;
  bytesDelta: number;
}

export interface SnapshotDiff {
  newCount: number;
  newBytes: number;
  freedCount: number;
  freedBytes: number;
  constructors: ConstructorDiff[];
}

/** What a diff needs of the earlier snapshot: ids sorted, with class names and sizes. */
export interface IdIndex {
  ids: Float64Array;
  sizes: Float64Array;
  /** Class name per entry (index into `names`). */
  classes: Uint32Array;
  names: string[];
}

function ignorable(snapshot: HeapSnapshot, o: number): boolean {
  // The synthetic root nodes have no stable identity worth diffing.
  return snapshot.raw.nodeTypes[o] === snapshot.t.synthetic;
}

export function idIndex(snapshot: HeapSnapshot, withClasses = true): IdIndex {
  const N = snapshot.nodeCount;
  const order = new Uint32Array(N);
  let n = 0;
  for (let o = 0; o < N; o++) if (!ignorable(snapshot, o)) order[n++] = o;
  const ids = snapshot.raw.nodeIds;
  const sorted = order.subarray(0, n).sort((a, b) => ids[a] - ids[b]);
  const outIds = new Float64Array(n);
  const sizes = new Float64Array(n);
  const classes = new Uint32Array(withClasses ? n : 0);
  const names: string[] = [];
  const nameIndex = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const o = sorted[i];
    outIds[i] = ids[o];
    sizes[i] = snapshot.originalSelfSize(o);
    if (withClasses) {
      const key = snapshot.classKey(o);
      let k = nameIndex.get(key);
      if (k === undefined) {
        k = names.length;
        names.push(snapshot.className(o));
        nameIndex.set(key, k);
      }
      classes[i] = k;
    }
  }
  return { ids: outIds, sizes, classes, names };
}

export function hasId(index: IdIndex, id: number): boolean {
  const ids = index.ids;
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid];
    if (v === id) return true;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function entry(map: Map<string, ConstructorDiff>, name: string): ConstructorDiff {
  let e = map.get(name);
  if (!e) {
    e = {
      name,
      newCount: 0,
      newBytes: 0,
      freedCount: 0,
      freedBytes: 0,
      survivingCount: 0,
      survivingBytes: 0,
      countDelta: 0,
      bytesDelta: 0,
    };
    map.set(name, e);
  }
  return e;
}

/** Diff of `before` (as an id index) against the `after` snapshot. */
export function diffSnapshots(before: IdIndex, after: HeapSnapshot): SnapshotDiff {
  const byName = new Map<string, ConstructorDiff>();
  const afterIndex = idIndex(after);
  let newCount = 0;
  let newBytes = 0;
  let freedCount = 0;
  let freedBytes = 0;
  // Merge walk over both sorted id lists.
  let i = 0;
  let j = 0;
  const a = before.ids;
  const b = afterIndex.ids;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) {
      const e = entry(byName, before.names[before.classes[i]]);
      e.freedCount++;
      e.freedBytes += before.sizes[i];
      freedCount++;
      freedBytes += before.sizes[i];
      i++;
    } else if (i >= a.length || b[j] < a[i]) {
      const e = entry(byName, afterIndex.names[afterIndex.classes[j]]);
      e.newCount++;
      e.newBytes += afterIndex.sizes[j];
      newCount++;
      newBytes += afterIndex.sizes[j];
      j++;
    } else {
      const e = entry(byName, afterIndex.names[afterIndex.classes[j]]);
      e.survivingCount++;
      e.survivingBytes += afterIndex.sizes[j];
      i++;
      j++;
    }
  }
  const constructors = [...byName.values()];
  for (const c of constructors) {
    c.countDelta = c.newCount - c.freedCount;
    c.bytesDelta = c.newBytes - c.freedBytes;
  }
  constructors.sort((x, y) => y.bytesDelta - x.bytesDelta || y.countDelta - x.countDelta);
  return { newCount, newBytes, freedCount, freedBytes, constructors };
}

export interface AllocatedBetween {
  name: string;
  count: number;
  /** Shallow bytes (V8's own sizes) in the last snapshot. */
  bytes: number;
  /** Ordinals in the last snapshot (for retainer queries). */
  ordinals: number[];
}

/**
 * The three-snapshot query: objects allocated between A and B (in B, not in A) that are still
 * alive in C. With two snapshots (`b` undefined): objects in C not in A.
 */
export function allocatedBetween(
  a: IdIndex,
  b: IdIndex | undefined,
  c: HeapSnapshot,
  keepOrdinals = 100_000,
): { total: number; bytes: number; constructors: AllocatedBetween[] } {
  const byKey = new Map<number, AllocatedBetween>();
  let total = 0;
  let bytes = 0;
  const ids = c.raw.nodeIds;
  for (let o = 0; o < c.nodeCount; o++) {
    if (ignorable(c, o)) continue;
    const id = ids[o];
    if (hasId(a, id)) continue;
    if (b && !hasId(b, id)) continue;
    const key = c.classKey(o);
    let e = byKey.get(key);
    if (!e) {
      e = { name: c.className(o), count: 0, bytes: 0, ordinals: [] };
      byKey.set(key, e);
    }
    e.count++;
    const size = c.originalSelfSize(o);
    e.bytes += size;
    if (e.ordinals.length < keepOrdinals) e.ordinals.push(o);
    total++;
    bytes += size;
  }
  const constructors = [...byKey.values()].sort((x, y) => y.bytes - x.bytes || y.count - x.count);
  return { total, bytes, constructors };
}
