// The analysis's helper thread (markEdges.ts): the shallow-size folding it takes over, and the
// calling thread doing the folding itself when the helper was not given it. The full analysis on
// two threads is checked against one thread in dominators.test.ts and ephemerons.test.ts.
import assert from 'node:assert/strict';
import type { SizeFold } from '../../../src/core/heapsnapshot/folding';
import { startPageSearchHelper } from '../../../src/core/heapsnapshot/markEdges';

const shared = (length: number): Uint32Array => new Uint32Array(new SharedArrayBuffer(length * 4));

/**
 * Node types 0 hidden, 1 array, 2 object, 3 native, 4 synthetic; edge types 0 element, 1 weak.
 * The root (0) holds objects 1 and 4; 1 owns array 2 and external string data 3; 4 owns array 5
 * and reaches 2 only weakly; array 6 has two owners (1 and 4), so it stays as it is.
 */
function smallFold(): SizeFold {
  const edges: Array<[number, number, number]> = [
    [0, 1, 0],
    [0, 4, 0],
    [1, 2, 0],
    [1, 3, 0],
    [1, 6, 0],
    [4, 5, 0],
    [4, 2, 1],
    [4, 6, 0],
  ];
  const nodeCount = 7;
  const firstEdge = shared(nodeCount + 1);
  const edgeTo = shared(edges.length);
  const edgeTypes = new Uint8Array(new SharedArrayBuffer(edges.length));
  edges.forEach(([from, to, type], e) => {
    firstEdge[from + 1] = e + 1;
    edgeTo[e] = to;
    edgeTypes[e] = type;
  });
  for (let o = 1; o <= nodeCount; o++) firstEdge[o] = Math.max(firstEdge[o], firstEdge[o - 1]);
  const selfSizes = shared(nodeCount);
  selfSizes.set([0, 10, 20, 30, 40, 50, 60]);
  const ownableTypes = new Uint8Array(256);
  ownableTypes.set([1, 1, 0, 2, 0]);
  return {
    nodeCount,
    firstEdge,
    edgeTo,
    edgeTypes,
    nodeTypes: Uint8Array.from([4, 2, 1, 3, 2, 1, 1]),
    nodeNames: Uint32Array.from([0, 1, 2, 7, 1, 2, 2]),
    weak: 1,
    ownableTypes,
    ownableNames: Uint32Array.from([7]),
    selfSizes,
    rawSelfSizes: shared(nodeCount),
    root: 0,
    synthetic: 4,
  };
}

describe('the analysis helper thread', function () {
  this.timeout(30_000);

  for (const given of [true, false]) {
    it(`folds the shallow sizes ${given ? 'when handed the folding' : 'on the calling thread when the helper was not handed it'}`, () => {
      const helper = startPageSearchHelper();
      assert.ok(helper, 'a helper thread started');
      try {
        const fold = smallFold();
        if (given) helper.fold(fold);
        const { changed, onHelper } = helper.finishFold(fold, given);
        assert.equal(onHelper, given);
        assert.equal(changed, true);
        assert.deepEqual([...fold.selfSizes], [0, 60, 0, 0, 90, 0, 60]);
        assert.deepEqual([...fold.rawSelfSizes], [0, 10, 20, 30, 40, 50, 60]);
      } finally {
        helper.stop();
      }
    });
  }
});
