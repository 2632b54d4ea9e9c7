// The class of each node, as DevTools' Summary keys it: object and native nodes by name, the others
// by type, detached native objects apart. Self-contained (no imports) because the analysis helper
// thread runs its source (markEdges.ts): there it runs while this thread finishes the dominators,
// and this thread then only tallies the classes (classes.ts).

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
  /** Out: [0] the number of classes. */
  classCount: Uint32Array;
}

export function classKeys(job: ClassKeyJob): void {
  const { nodeCount, nodeTypes, nodeNames, selfSizes, detachedness, object, native, classOf } = job;
  // Class + 1 by key: a lookup table by name index (a Map per node costs several times more).
  const byName = new Uint32Array(job.stringCount + 1);
  const byType = new Uint32Array(256);
  let detachedByName: Uint32Array | undefined;
  let count = 0;
  for (let o = 0; o < nodeCount; o++) {
    if (!selfSizes[o]) {
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
    if (c === 0) c = table[key] = ++count;
    classOf[o] = c;
  }
  job.classCount[0] = count;
}
