// Distances from the GC roots: breadth-first over non-weak edges (DevTools' rule). Self-contained
// (no imports, constants written out) because the analysis helper thread runs its source
// (markEdges.ts): there it runs while this thread computes the dominators.

export interface DistanceJob {
  firstEdge: Uint32Array;
  edgeTo: Uint32Array;
  /** Edge types; the top bit (non-essential for dominators) is ignored here. */
  edgeTypes: Uint8Array;
  weak: number;
  root: number;
  /** nodeCount entries, any content: the result (0xffffffff for a node not reached). */
  distances: Uint32Array;
  /** nodeCount entries or more, any content: the queue (allocated here when not given). */
  queue?: Uint32Array;
}

export function bfsDistances(job: DistanceJob): void {
  const { firstEdge, edgeTo, edgeTypes, weak, root, distances } = job;
  const queue = job.queue ?? new Uint32Array(distances.length);
  distances.fill(0xffffffff);
  let head = 0;
  let tail = 0;
  distances[root] = 0;
  queue[tail++] = root;
  while (head < tail) {
    const u = queue[head++];
    const d = distances[u] + 1;
    for (let e = firstEdge[u], end = firstEdge[u + 1]; e < end; e++) {
      const v = edgeTo[e];
      if (distances[v] !== 0xffffffff || (edgeTypes[e] & 0x7f) === weak) continue;
      distances[v] = d;
      queue[tail++] = v;
    }
  }
}
