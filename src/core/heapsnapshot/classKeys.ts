// The class of each node, as DevTools' Summary keys it: object and native nodes by name, the others
// by type, detached native objects apart; and per class, in the same pass, its count, shallow size,
// first instance and smallest distance. Self-contained (no imports) because the analysis helper
// thread runs its source (markEdges.ts): there it runs while this thread finishes the dominators,
// and this thread then only names the classes (classes.ts).

export interface ClassKeyJob {
  nodeCount: number;
  nodeTypes: Uint8Array;
  nodeNames: Uint32Array;
  /** Shallow sizes after folding: nodes of size 0 are left out (as DevTools does). */
  selfSizes: Uint32Array | Float64Array;
  /** 2 marks a detached native object, grouped apart from the attached ones of its name. */
  detachedness?: Uint8Array;
  /** The node type indexes of `object` and `native`. */
  object: number;
  native: number;
  stringCount: number;
  /** Out, nodeCount entries, any content: class + 1 in order of first appearance, 0 if left out. */
  classOf: Uint32Array;
  /**
   * Out: [0] the number of classes; [1] 1 when tally.minDistance holds the classes' smallest
   * distances (the node distances were given and ready).
   */
  classCount: Uint32Array;
  /** Out, per class (index class - 1): room for classCapacity(job) classes, zero-filled. */
  tally: ClassTally;
  /** Distances of the nodes, when known: their smallest per class goes into tally.minDistance. */
  distances?: Uint32Array;
}

export interface ClassTally {
  counts: Uint32Array;
  shallow: Float64Array;
  /** The first instance (it names the class). */
  first: Uint32Array;
  minDistance: Uint32Array;
}

/**
 * How many classes a job can have: the node types, the names, and the names again for detached
 * native objects. Only the first pages of tally arrays this long are ever written.
 */
export function classCapacity(stringCount: number, detached: boolean): number {
  return 256 + (stringCount + 1) * (detached ? 2 : 1);
}

/** Tally arrays for `capacity` classes (in shared memory when `buffer` makes it). */
export function classTally(
  capacity: number,
  buffer: (bytes: number) => ArrayBufferLike = (bytes) => new ArrayBuffer(bytes),
): ClassTally {
  return {
    counts: new Uint32Array(buffer(capacity * 4)),
    shallow: new Float64Array(buffer(capacity * 8)),
    first: new Uint32Array(buffer(capacity * 4)),
    minDistance: new Uint32Array(buffer(capacity * 4)),
  };
}

export function classKeys(job: ClassKeyJob, withDistances: boolean): void {
  const { nodeCount, nodeTypes, nodeNames, selfSizes, detachedness, object, native, classOf } = job;
  const { counts, shallow, first, minDistance } = job.tally;
  const distances = withDistances ? job.distances : undefined;
  // Class + 1 by key: a lookup table by name index (a Map per node costs several times more).
  const byName = new Uint32Array(job.stringCount + 1);
  const byType = new Uint32Array(256);
  let detachedByName: Uint32Array | undefined;
  let count = 0;
  for (let o = 0; o < nodeCount; o++) {
    const size = selfSizes[o];
    if (!size) {
      classOf[o] = 0;
      continue;
    }
    const type = nodeTypes[o];
    let table: Uint32Array = byType;
    let key = type;
    if (type === object || type === native) {
      key = nodeNames[o];
      table = byName;
      if (detachedness !== undefined && type === native && detachedness[o] === 2)
        table = detachedByName ??= new Uint32Array(byName.length);
    }
    let c = table[key];
    if (c === 0) {
      c = table[key] = ++count;
      first[c - 1] = o;
      if (distances !== undefined) minDistance[c - 1] = distances[o];
    } else if (distances !== undefined && distances[o] < minDistance[c - 1])
      minDistance[c - 1] = distances[o];
    classOf[o] = c;
    counts[c - 1]++;
    shallow[c - 1] += size;
  }
  job.classCount[0] = count;
  job.classCount[1] = distances !== undefined ? 1 : 0;
}
