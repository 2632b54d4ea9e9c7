// DevTools folds the shallow size of internal arrays, hidden objects and external string data
// into the single object that owns them (when there is one), so 'Array' shows its elements store.
// Done the same way here so that shallow and retained sizes agree with DevTools: ownership
// spreads from every node that cannot be owned along non-weak edges to a fixed point (no owner,
// one owner, several owners), so the order of the work does not matter.
//
// Both functions are self-contained (no imports, no calls between them) because the analysis's
// helper thread runs their sources (markEdges.ts): on big heaps it folds while the calling thread
// computes the dominators, which need the folded sizes only at their very end.

export interface FoldInput {
  nodeCount: number;
  firstEdge: Uint32Array;
  edgeTo: Uint32Array;
  /** Read with the mark bit masked off (a helper thread may be setting it meanwhile). */
  edgeTypes: Uint8Array;
  nodeTypes: Uint8Array;
  nodeNames: Uint32Array;
  weak: number;
  /** Per node type: 1 can be owned (hidden, array), 2 can be owned with a name in ownableNames. */
  ownableTypes: Uint8Array;
  /** Name strings that make a node of a type marked 2 (native) ownable: external string data. */
  ownableNames: Uint32Array;
}

export interface SizeFold extends FoldInput {
  /** Folded in place. */
  selfSizes: Uint32Array | Float64Array;
  /** Same length and type: receives the sizes as they were, when folding changes any. */
  rawSelfSizes: Uint32Array | Float64Array;
  root: number;
  /** Synthetic nodes (the root, '(GC roots)' and such) take no sizes from what they own. */
  synthetic: number;
}

/**
 * The owner of every node that has exactly one, as owner ordinal + 1 (0: none, -1: several).
 * The array is zero for every node that cannot be owned: no pass over all nodes sets it up.
 */
export function findOwners(input: FoldInput): Int32Array {
  const { nodeCount: N, firstEdge, edgeTo, edgeTypes, nodeTypes, nodeNames, weak } = input;
  const { ownableTypes, ownableNames } = input;
  // owners[] values besides owner + 1 (here, not in the module: the source must stand alone).
  const NO_OWNER = 0;
  const SEVERAL_OWNERS = -1;
  // Written through first: the spread reads each entry before writing it, and a fresh page read
  // first faults twice (in as the shared zero page, then copied on write).
  const owners = new Int32Array(N + 2).fill(0);
  // One bit per node (0.5 MB for 4M nodes): the spread reads it once per edge at a random place,
  // and a bit set small enough for the core's own cache answers faster than the node types.
  const ownableBits = new Uint32Array((N + 31) >>> 5);
  for (let v = 0; v < N; v++) {
    const kind = ownableTypes[nodeTypes[v]];
    if (kind === 1 || (kind === 2 && ownableNames.includes(nodeNames[v])))
      ownableBits[v >>> 5] |= 1 << (v & 31);
  }
  const ownable = (v: number): boolean => (ownableBits[v >>> 5] & (1 << (v & 31))) !== 0;
  let work = new Uint32Array(1 << 16);
  let wl = 0;
  // u's owner (`mark`) is offered to the ownable nodes it points at; a change goes on the list.
  const spreadFrom = (u: number, mark: number): void => {
    for (let e = firstEdge[u], end = firstEdge[u + 1]; e < end; e++) {
      const v = edgeTo[e];
      if ((edgeTypes[e] & 0x7f) === weak || !ownable(v)) continue;
      const current = owners[v];
      if (current === mark || current === SEVERAL_OWNERS) continue;
      owners[v] = current === NO_OWNER ? mark : SEVERAL_OWNERS;
      if (wl === work.length) {
        const grown = new Uint32Array(work.length * 2);
        grown.set(work);
        work = grown;
      }
      work[wl++] = v;
    }
  };
  // First round: every node that cannot be owned owns what it points at.
  for (let u = 0; u < N; u++) if (!ownable(u)) spreadFrom(u, u + 1);
  // Then owned nodes pass their owner on, until nothing changes.
  while (wl > 0) {
    const id = work[--wl];
    spreadFrom(id, owners[id]);
  }
  return owners;
}

/**
 * Moves each owned node's shallow size into its owner (owners from findOwners). Returns whether
 * any size changed; the sizes as they were are then in fold.rawSelfSizes.
 */
export function foldSizes(fold: SizeFold, owners: Int32Array): boolean {
  const { nodeCount: N, nodeTypes, selfSizes: sizes, rawSelfSizes, root, synthetic } = fold;
  let copied = false;
  for (let i = 0; i < N; i++) {
    const mark = owners[i];
    if (mark <= 0) continue; // no owner, or several
    const owner = mark - 1;
    if (nodeTypes[owner] === synthetic || owner === root) continue;
    if (!copied) {
      // V8's own sizes stay available for diffs and off-heap accounting.
      rawSelfSizes.set(sizes);
      copied = true;
    }
    sizes[owner] += sizes[i];
    sizes[i] = 0;
  }
  return copied;
}
