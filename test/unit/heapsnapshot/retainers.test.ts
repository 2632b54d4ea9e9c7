// Retainer paths on a hand-made heap where the same array is held twice: by a V8 handle one step
// from the GC roots (what a snapshot written from inside the process sees of its caller's locals)
// and by a closure variable one step further. A person wants the variable.
import assert from 'node:assert/strict';
import { HeapSnapshot, parseSnapshotBuffer } from '../../../src/core/heapsnapshot';
import { bestRetainer, chainToRoot, retainerPaths } from '../../../src/core/heapsnapshot/retainers';
import { snapshotText } from './helpers';

const F = 7; // node fields
// Node types: 0 hidden, 3 object, 9 synthetic. Edge types: 0 context, 1 element, 3 internal.
const strings = [
  '',
  '(GC roots)',
  '(Handle scope)',
  '(Stack roots)',
  'system / Context',
  'Array',
  'Record',
  'records',
  '0',
  '1',
  'Holder',
  'peer',
];
const ROOT = 0;
const HANDLES = 2;
const CONTEXT = 4;
const ARRAY = 5;
const RECORD = 6;
const PEER_A = 7;
const PEER_B = 8;
const nodes: Array<[type: number, name: number, edges: number[][]]> = [
  [9, 0, [[1, 1, 1]]], // (root) → (GC roots)
  [
    9,
    1,
    [
      [1, 0, 2],
      [1, 1, 3],
    ],
  ], // (GC roots) → (Handle scope), (Stack roots)
  [
    9,
    2,
    [
      [3, 8, ARRAY],
      [3, 9, PEER_A],
      [3, 9, PEER_B],
    ],
  ], // handles to the array and the two peers
  [9, 3, [[3, 9, CONTEXT]]], // (Stack roots) → the module's context
  [0, 4, [[0, 7, ARRAY]]], // context variable `records`
  [3, 5, [[1, 0, RECORD]]], // records[0]
  [3, 6, []],
  // Two objects as far from the root as each other, each held by a handle and by the other.
  [3, 10, [[2, 11, PEER_B]]],
  [3, 10, [[2, 11, PEER_A]]],
];

function heap(): HeapSnapshot {
  const flat: number[] = [];
  const edges: number[] = [];
  nodes.forEach(([type, name, out], i) => {
    flat.push(type, name, i * 2 + 1, 16, out.length, 0, 0);
    for (const [edgeType, edgeName, to] of out) edges.push(edgeType, edgeName, to * F);
  });
  const text = snapshotText(flat, edges, strings);
  const snapshot = new HeapSnapshot(parseSnapshotBuffer(Buffer.from(text))).analyse();
  assert.equal(snapshot.distances![ARRAY], 3, 'the handle is the shorter way to the array');
  assert.equal(snapshot.distances![CONTEXT], 3);
  return snapshot;
}

describe('retainer paths', () => {
  it('go through the closure variable rather than a V8 handle one step closer', () => {
    const snapshot = heap();
    const path = retainerPaths(snapshot, RECORD, 1)[0];
    assert.deepEqual(path.text, [
      '(root) @1 [1]',
      '(GC roots) @3 [1]',
      '(Stack roots) @7 .1 (internal)',
      'system / Context @9 .records (closure variable)',
      'Array @11 [0]',
      'Record @13',
    ]);
    assert.deepEqual(
      chainToRoot(snapshot, ARRAY).map((step) => step.from),
      [CONTEXT, 3, 1, ROOT],
    );
  });

  it('keep every step strictly closer to the root where a caller relies on it', () => {
    const snapshot = heap();
    // growth.ts sorts by distance and adds counts up the chain: no sideways steps there.
    assert.deepEqual(bestRetainer(snapshot, ARRAY), { edge: snapshot.edgesOf(HANDLES)[0], from: HANDLES });
  });

  it('never turn back to a node already on the chain', () => {
    const snapshot = heap();
    // Each peer prefers the other (sideways) to the handle; the second step must take the handle.
    assert.deepEqual(
      chainToRoot(snapshot, PEER_A).map((step) => step.from),
      [PEER_B, HANDLES, 1, ROOT],
    );
  });
});
