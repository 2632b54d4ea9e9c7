// Children of each node in the dominator tree, in CSR form: what the Summary's class retained sizes
// walk, and what the explorer's Containment view lists ("what does this object keep alive").
import type { HeapSnapshot } from './snapshot';

export interface DominatorTree {
  /** Children of node o are children[first[o] .. first[o + 1]). */
  first: Uint32Array;
  children: Uint32Array;
}

export function dominatorChildren(snapshot: HeapSnapshot): DominatorTree {
  const dom = snapshot.dominators!;
  const N = snapshot.nodeCount;
  const root = snapshot.rootOrdinal;
  // The analysis's spare arrays when there are: their pages are faulted in already.
  const first = snapshot.takeScratch(N + 1)?.fill(0) ?? new Uint32Array(N + 1);
  for (let o = 0; o < N; o++) if (o !== root) first[dom[o]]++;
  let total = 0;
  for (let o = 0; o < N; o++) {
    total += first[o];
    first[o] = total;
  }
  first[N] = total;
  const children = snapshot.takeScratch(total) ?? new Uint32Array(total);
  for (let o = N - 1; o >= 0; o--) if (o !== root) children[--first[dom[o]]] = o;
  return { first, children };
}
