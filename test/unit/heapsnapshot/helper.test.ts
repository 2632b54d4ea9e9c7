// The analysis's helper thread (markEdges.ts): the shallow-size folding and the class tallies it
// takes over, and the calling thread doing them itself when the helper was not given them. The full analysis on
// two threads is checked against one thread in dominators.test.ts and ephemerons.test.ts.
import assert from 'node:assert/strict';
import { classTally, type ClassKeyJob } from '../../../src/core/heapsnapshot/classKeys';
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

/**
 * Node types 0 object, 1 native, 2 string; names 0 'A', 1 'B'. Classes in order of first appearance:
 * A (nodes 0, 3), string (1, 5), B (4); node 2 has no size and no class.
 */
function smallClassJob(): ClassKeyJob {
  const nodeCount = 6;
  const bytes = (length: number): Uint8Array => new Uint8Array(new SharedArrayBuffer(length));
  const nodeTypes = bytes(nodeCount);
  nodeTypes.set([0, 2, 0, 0, 1, 2]);
  const nodeNames = shared(nodeCount);
  nodeNames.set([0, 7, 0, 0, 1, 9]);
  const selfSizes = shared(nodeCount);
  selfSizes.set([10, 20, 0, 30, 40, 50]);
  const distances = shared(nodeCount);
  distances.set([3, 2, 1, 1, 5, 4]);
  return {
    nodeCount,
    nodeTypes,
    nodeNames,
    selfSizes,
    object: 0,
    native: 1,
    stringCount: 10,
    classOf: shared(nodeCount),
    classCount: shared(2),
    tally: classTally(16, (n) => new SharedArrayBuffer(n)),
    distances,
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

  for (const given of [true, false]) {
    it(`tallies the classes ${given ? 'when handed them (distances only once it computed them)' : 'on the calling thread, with the distances'}`, () => {
      const helper = startPageSearchHelper();
      assert.ok(helper, 'a helper thread started');
      try {
        const job = smallClassJob();
        if (given) helper.classKeys(job, false);
        assert.equal(helper.finishClassKeys(job, given), given);
        assert.deepEqual([...job.classOf], [1, 2, 0, 1, 3, 2]);
        assert.equal(job.classCount[0], 3);
        assert.deepEqual([...job.tally.counts.subarray(0, 3)], [2, 2, 1]);
        assert.deepEqual([...job.tally.shallow.subarray(0, 3)], [40, 70, 40]);
        assert.deepEqual([...job.tally.first.subarray(0, 3)], [0, 1, 4]);
        // The helper was never handed the distances: it leaves the classes' distances to the caller
        // (groupByClass then finds them itself).
        assert.equal(job.classCount[1], given ? 0 : 1);
        if (!given) assert.deepEqual([...job.tally.minDistance.subarray(0, 3)], [1, 2, 5]);
      } finally {
        helper.stop();
      }
    });
  }
});
