// Real processes leak a known number of objects of a known class into a known holder; the diff
// counts must match exactly and the holder must be named with its declaration line.
import assert from 'node:assert/strict';
import { createReadStream, mkdirSync } from 'node:fs';
import {
  diffSnapshotFiles,
  findGrowthHolders,
  findRetainers,
  loadSnapshot,
  summarizeSnapshotFile,
} from '../../../src/core/heapsnapshot';
import { fixtureLine, LEAKER, runLeaker, tempDir } from '../../unit/heapsnapshot/helpers';

describe('heap snapshots of leaking processes', function () {
  this.timeout(120_000);
  const tmp = tempDir();
  const files: Record<string, string[]> = {};
  before(() => {
    for (const kind of ['array', 'map', 'listener', 'timer', 'buffer']) {
      const dir = `${tmp.dir}/${kind}`;
      mkdirSync(dir);
      files[kind] = runLeaker(dir, kind, 300, 120);
    }
  });
  after(() => tmp.dispose());

  it('diff counts the leaked objects exactly (two and three snapshots)', async () => {
    const two = await diffSnapshotFiles(files.array.slice(0, 2));
    const leaky = two.diff.constructors.find((c) => c.name === 'LeakyRecord');
    assert.equal(leaky?.newCount, 300);
    assert.equal(leaky?.freedCount, 0);
    assert.equal(leaky?.newBytes, 300 * 40);
    const three = await diffSnapshotFiles(files.array);
    assert.equal(three.diff.constructors.find((c) => c.name === 'LeakyRecord')?.newCount, 120);
    assert.equal(three.diff.constructors.find((c) => c.name === 'LeakyRecord')?.survivingCount, 300);
    const between = three.allocatedBetween!.constructors.find((c) => c.name === 'LeakyRecord');
    assert.equal(between?.count, 300, 'allocated between a and b, alive in c');
  });

  const expectations: Array<{
    kind: string;
    group: string;
    holderKind: string;
    name: string | RegExp;
    line?: string;
  }> = [
    {
      kind: 'array',
      group: 'LeakyRecord',
      holderKind: 'Array',
      name: 'leakyRecords',
      line: 'const leakyRecords = [];',
    },
    {
      kind: 'map',
      group: 'LeakyRecord',
      holderKind: 'Map',
      name: 'sessionCache',
      line: 'const sessionCache = new Map();',
    },
    {
      kind: 'listener',
      group: 'LeakyRecord',
      holderKind: 'EventEmitter listeners',
      name: 'bus._events.data',
      line: 'const bus = new EventEmitter();',
    },
    {
      kind: 'timer',
      group: 'Timeout',
      holderKind: 'Timeout',
      name: /^tick \(timer callback\)$/,
      line: 'setInterval(function tick()',
    },
    {
      kind: 'buffer',
      group: 'Buffer',
      holderKind: 'Array',
      name: 'keptBuffers',
      line: 'const keptBuffers = [];',
    },
  ];
  for (const x of expectations) {
    it(`names the holder of a ${x.kind} leak and its line`, async () => {
      const holders = await findGrowthHolders(files[x.kind], { limit: 5 });
      const group = holders.find((h) => h.constructorName === x.group);
      assert.ok(group, `no growth group ${x.group} in ${holders.map((h) => h.constructorName).join(', ')}`);
      assert.equal(group.addedCount, 300, 'three-snapshot method: allocated between a and b, alive in c');
      assert.equal(group.holder.kind, x.holderKind);
      if (typeof x.name === 'string') assert.equal(group.holder.name, x.name);
      else assert.match(group.holder.name, x.name);
      assert.equal(group.holder.count, 300);
      assert.ok(group.holder.path.length >= 2);
      if (x.line) {
        assert.equal(group.holder.location?.url, LEAKER);
        assert.equal(group.holder.location?.line, fixtureLine(x.line), JSON.stringify(group.holder));
      }
      if (x.kind === 'buffer') {
        // Off-heap: each Buffer keeps a 64 kB backing store that the heap alone would not show.
        assert.ok(group.addedBytes >= 300 * 64 * 1024, `backing stores counted: ${group.addedBytes}`);
      }
    });
  }

  it('finds retainer paths through the holder variable, with the constructor location', async () => {
    const result = await findRetainers(files.array[2], {
      constructorName: 'LeakyRecord',
      objects: 2,
      paths: 2,
    });
    assert.equal(result.matched, 420);
    const object = result.objects[0];
    assert.equal(object.className, 'LeakyRecord');
    assert.equal(object.location?.line, fixtureLine('constructor(i)'));
    const text = object.paths[0].text.join('\n');
    assert.match(text, /\.leakyRecords \(closure variable\)/);
    assert.match(object.paths[0].text[0], /^\(root\)/);
    const byId = await findRetainers(files.array[2], { id: object.id });
    assert.equal(byId.objects[0].id, object.id);
  });

  it('matches Chrome DevTools retained sizes for the top constructors', async () => {
    const file = files.map[2];
    const ours = await summarizeSnapshotFile(file);
    const { parse } = (await import('heap-snapshot-toolkit')) as unknown as {
      parse(stream: NodeJS.ReadableStream): Promise<{
        aggregatesWithFilter(
          f: object,
        ): Record<string, { name: string; count: number; self: number; maxRet: number }>;
        retainedSizes: Float64Array;
        dominatorsTree: Uint32Array;
      }>;
    };
    const devtools = await parse(createReadStream(file, 'utf-8'));
    const aggregates = Object.values(devtools.aggregatesWithFilter({}));
    const namesSeen = new Map<string, number>();
    for (const a of aggregates) namesSeen.set(a.name, (namesSeen.get(a.name) ?? 0) + 1);
    // DevTools splits plain Objects into inferred shapes ("{a, b}"); compare every class whose name is unique.
    const top = aggregates
      .filter((a) => namesSeen.get(a.name) === 1 && a.name !== 'Object' && !a.name.startsWith('{'))
      .sort((a, b) => b.maxRet - a.maxRet)
      .slice(0, 20);
    assert.ok(top.some((a) => a.name === 'LeakyRecord'));
    assert.ok(top.some((a) => a.name === 'Map'));
    for (const a of top) {
      const mine = ours.constructors.find((c) => c.name === a.name);
      assert.ok(mine, `missing ${a.name}`);
      assert.equal(mine.retainedBytes, a.maxRet, `retained size of ${a.name}`);
      assert.equal(mine.shallowBytes, a.self, `shallow size of ${a.name}`);
      assert.equal(mine.count, a.count, `count of ${a.name}`);
    }
    // And node by node: every immediate dominator and retained size.
    const snapshot = await loadSnapshot(file);
    let dominatorMismatches = 0;
    let retainedMismatches = 0;
    for (let o = 0; o < snapshot.nodeCount; o++) {
      if (snapshot.dominators![o] !== devtools.dominatorsTree[o]) dominatorMismatches++;
      if (snapshot.retainedSizes![o] !== devtools.retainedSizes[o]) retainedMismatches++;
    }
    assert.equal(dominatorMismatches, 0);
    assert.equal(retainedMismatches, 0);
  });
});
