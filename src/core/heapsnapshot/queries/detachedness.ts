// Which native objects are detached, as DevTools decides it: the states V8 wrote (attached,
// detached) spread along non-hidden, non-weak edges to native objects of unknown state, attached
// first (what an attached object reaches is attached), then detached. Only native (embedder) nodes
// take part: every way into embedder code is a node that knows its own state.
import { EDGE_TYPE_MASK } from '../dominators';
import type { HeapSnapshot } from '../snapshot';

const ATTACHED = 1;
const DETACHED = 2;

/** State per node (0 unknown, 1 attached, 2 detached), or undefined without a detachedness field. */
export function propagatedDetachedness(s: HeapSnapshot): Uint8Array | undefined {
  const written = s.raw.detachedness;
  if (!written) return undefined;
  const N = s.nodeCount;
  const { firstEdge, edgeTo, edgeTypes, nodeTypes } = s.raw;
  const native = s.t.native;
  const skipped = new Set([s.et.hidden, s.et.weak, s.raw.meta.edgeTypes.indexOf('invisible')]);
  const state = written.slice();
  const visited = new Uint8Array(N);
  const attached: number[] = [];
  const detached: number[] = [];
  const visit = (o: number, next: number): void => {
    if (visited[o]) return;
    visited[o] = 1;
    if (nodeTypes[o] !== native) return;
    state[o] = next;
    if (next === ATTACHED) attached.push(o);
    else if (next === DETACHED) detached.push(o);
  };
  const spread = (o: number, next: number): void => {
    for (let e = firstEdge[o]; e < firstEdge[o + 1]; e++)
      if (!skipped.has(edgeTypes[e] & EDGE_TYPE_MASK)) visit(edgeTo[e], next);
  };
  for (let o = 0; o < N; o++) if (written[o] !== 0) visit(o, written[o]);
  while (attached.length) spread(attached.pop()!, ATTACHED);
  while (detached.length) {
    const o = detached.pop()!;
    if (state[o] !== ATTACHED) spread(o, DETACHED);
  }
  return state;
}
