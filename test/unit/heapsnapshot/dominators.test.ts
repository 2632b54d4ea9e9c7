// Random graphs against Chrome DevTools' own code (heap-snapshot-toolkit): weak edges, cycles held
// only by one another ("cliques"), arrays, hidden objects and external string data folded into
// owners (other native objects are not), shortcuts. The
// real-snapshot parity test rarely meets cliques; these graphs are full of them.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { HeapSnapshot, parseSnapshotBuffer } from '../../../src/core/heapsnapshot';
import { SnapshotTokenizer } from '../../../src/core/heapsnapshot/parser';
import { summarize } from '../../../src/core/heapsnapshot/summary';
import { snapshotText } from './helpers';

function randomSnapshot(seed: number, nodeCount: number): string {
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const strings = [
    '',
    '(GC roots)',
    'Foo',
    'Bar',
    'x',
    'y',
    'z',
    'system / ExternalStringData',
    'system / Other',
  ];
  const nodes: number[] = [];
  const edges: number[] = [];
  const nodeTypes = [3, 3, 1, 1, 0, 5, 2, 8, 3];
  const ringStart = nodeCount - 1 - (seed % 5);
  for (let i = 0; i < nodeCount; i++) {
    const out: number[] = [];
    if (i === 0) {
      // The root: a GC-roots node, and user roots through shortcuts (so page-ownership applies).
      out.push(1, 1, 1 * 7, 5, 4, 2 * 7, 5, 5, 3 * 7);
    } else {
      // The last nodes form a ring the rest holds only weakly: a clique.
      if (i >= ringStart) out.push(2, 4, (i + 1 < nodeCount ? i + 1 : ringStart) * 7);
      // A chord in rings of three or more: a clique node with two predecessors.
      if (i === nodeCount - 1 && i - ringStart >= 2) out.push(2, 5, (ringStart + 1) * 7);
      const count = random(4);
      for (let k = 0; k < count; k++) {
        // Sometimes the same target twice (an owner reaching its array by two edges).
        const to = out.length > 0 && random(4) === 0 ? out[out.length - 1] / 7 : 1 + random(nodeCount - 1);
        let type = [0, 1, 2, 2, 2, 3, 4, 6, 6][random(9)];
        if (i < ringStart && to >= ringStart) type = 6;
        const name = type === 1 || type === 4 ? random(10) : 4 + random(3);
        out.push(type, name, to * 7);
      }
    }
    const type = i === 0 || i === 1 ? 9 : nodeTypes[random(nodeTypes.length)];
    const name = i === 1 ? 1 : i === 0 ? 0 : type === 8 ? (random(7) < 4 ? 7 : 8) : 2 + random(2);
    nodes.push(type, name, i * 2 + 1, i < 2 ? 0 : 8 + random(100), out.length / 3, 0, 0);
    edges.push(...out);
  }
  return snapshotText(nodes, edges, strings);
}

describe('dominators and retained sizes on random graphs', function () {
  this.timeout(60_000);
  it('match Chrome DevTools node by node, cliques and weakly held cycles included', async () => {
    const { parse } = (await import('heap-snapshot-toolkit')) as unknown as {
      parse(stream: NodeJS.ReadableStream): Promise<{
        retainedSizes: Float64Array;
        dominatorsTree: Uint32Array;
      }>;
    };
    let withUnreachable = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const text = randomSnapshot(seed, 8 + (seed % 60));
      const ours = new HeapSnapshot(parseSnapshotBuffer(Buffer.from(text))).analyse();
      const devtools = await parse(Readable.from([text]));
      if (ours.unreachableCount > 0) withUnreachable++;
      // Every node hangs under the root, so its retained size is the sum of all (folded) sizes.
      let total = 0;
      for (const size of ours.selfSizes) total += size;
      assert.equal(ours.totalSelfSize, total, `seed ${seed}: total self size`);
      assert.equal(ours.retainedSizes![ours.rootOrdinal], total, `seed ${seed}: root retains everything`);
      for (let o = 0; o < ours.nodeCount; o++) {
        assert.equal(ours.dominators![o], devtools.dominatorsTree[o], `seed ${seed}: dominator of ${o}`);
        assert.equal(ours.retainedSizes![o], devtools.retainedSizes[o], `seed ${seed}: retained of ${o}`);
      }
    }
    assert.ok(withUnreachable > 50, `most graphs have weakly held parts (${withUnreachable})`);
  });

  it('come out the same when the edges are marked on two threads', () => {
    let folded = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const bytes = Buffer.from(randomSnapshot(seed, 200 + seed * 97));
      const one = new HeapSnapshot(parseSnapshotBuffer(bytes)).analyse({ parallel: false });
      // Shared arrays, as the two-thread parse of a big file gives them.
      const tokenizer = new SnapshotTokenizer(bytes.length, true);
      tokenizer.push(bytes);
      const two = new HeapSnapshot(tokenizer.finish()).analyse({ parallel: true, classes: true });
      assert.equal(one.markThreads, 1);
      assert.equal(two.markThreads, 2, `seed ${seed}: the helper thread marked its half`);
      assert.equal(two.pageSearchOnHelper, true, `seed ${seed}: the helper thread did the page search`);
      assert.equal(two.foldOnHelper, true, `seed ${seed}: the helper thread folded the shallow sizes`);
      assert.equal(one.foldOnHelper, false);
      assert.deepEqual(two.raw.edgeTypes, one.raw.edgeTypes, `seed ${seed}: edge marks`);
      assert.deepEqual(two.selfSizes, one.selfSizes, `seed ${seed}: folded shallow sizes`);
      for (let o = 0; o < one.nodeCount; o++) {
        assert.equal(two.originalSelfSize(o), one.originalSelfSize(o), `seed ${seed}: V8's size of ${o}`);
        if (one.originalSelfSize(o) !== one.selfSizes[o]) folded++;
      }
      assert.deepEqual(two.dominators, one.dominators, `seed ${seed}: dominators`);
      assert.deepEqual(two.retainedSizes, one.retainedSizes, `seed ${seed}: retained sizes`);
      assert.equal(two.distancesOnHelper, true, `seed ${seed}: the helper thread computed the distances`);
      assert.equal(one.distancesOnHelper, false);
      assert.deepEqual([...two.distances!], [...one.distances!], `seed ${seed}: distances`);
      // The summary's classes, grouped on the helper after its folding, then tallied here.
      assert.deepEqual(summarize(two), summarize(one), `seed ${seed}: summary by class`);
      assert.equal(two.classKeysOnHelper, true, `seed ${seed}: the helper thread grouped the classes`);
      assert.equal(one.classKeysOnHelper, false);
    }
    assert.ok(folded > 100, `sizes were folded (${folded} nodes)`);
  });
});
