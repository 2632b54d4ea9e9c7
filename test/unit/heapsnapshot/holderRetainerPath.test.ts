// A holder's CodeLens opens the explorer on the largest object the holder keeps: the largest object
// of the class held through that variable, not the class's largest overall (held by something else);
// on its retainer path, the closure variable links to the line that declares it.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { answerQuery, openExplorer } from '../../../src/core/heapsnapshot/queries/open';
import type { SnapshotExplorer } from '../../../src/core/heapsnapshot/queries/explorer';
import { tempDir } from './helpers';

// Three large Records held by `cache`, fifty small ones by `sessionLog`; a closure keeps both as
// context variables (what a module's top-level `const` is once a function uses it).
const PROGRAM = `'use strict';
const v8 = require('node:v8');
class Record { constructor(n) { this.data = new Array(n).fill(n); } }
const cache = [];
const sessionLog = [];
for (let i = 0; i < 3; i++) cache.push(new Record(10000 + i));
for (let i = 0; i < 50; i++) sessionLog.push(new Record(100 + i));
module.exports.peek = () => [cache, sessionLog];
// Once the module's frame is gone: its stack slots would hold the arrays as roots.
setImmediate(() => v8.writeHeapSnapshot(process.argv[2]));
`;

describe("a holder's retainer path in the explorer", function () {
  this.timeout(60_000);
  const tmp = tempDir('heapscope-held-');
  let explorer: SnapshotExplorer;
  let program: string;

  before(async () => {
    program = path.join(tmp.dir, 'holders.js');
    const file = path.join(tmp.dir, 'holders.heapsnapshot');
    writeFileSync(program, PROGRAM);
    execFileSync(process.execPath, [program, file], { stdio: 'pipe', timeout: 30_000 });
    explorer = await openExplorer(file);
  });
  after(() => tmp.dispose());

  const heldThrough = (ordinal: number): string[] =>
    explorer
      .retainerPath(ordinal)
      .filter((r) => r.edgeType === 'context')
      .map((r) => r.edgeName);

  it("is one the holder keeps, where the class's largest is held by another variable", () => {
    const record = explorer.classRows().find((c) => c.name === 'Record')!;
    const largest = explorer.objects(record.classIndex, 'retained', 0, 1).rows[0]!;
    assert.deepEqual(heldThrough(largest.ordinal), ['cache']);

    const held = explorer.largestHeldVia('Record', 'sessionLog');
    assert.ok(held, 'a Record held through sessionLog');
    assert.equal(held.className, 'Record');
    assert.deepEqual(heldThrough(held.ordinal), ['sessionLog']);
    const all = explorer.objects(record.classIndex, 'retained', 0, 100).rows;
    const sessionRecords = all.filter((r) => heldThrough(r.ordinal)[0] === 'sessionLog');
    assert.equal(sessionRecords.length, 50);
    assert.equal(held.retainedBytes, Math.max(...sessionRecords.map((r) => r.retainedBytes)));
  });

  it('is none for a name nothing holds it through, an unknown class, or past the bound', () => {
    assert.equal(explorer.largestHeldVia('Record', 'nothingHere'), null);
    assert.equal(explorer.largestHeldVia('NoSuchClass', 'sessionLog'), null);
    // The three largest are the cache's: looking at those only finds none.
    assert.equal(explorer.largestHeldVia('Record', 'sessionLog', 3), null);
    assert.ok(explorer.largestHeldVia('Record', 'sessionLog', 4));
  });

  it('links a closure variable to its declaration, the context to its function', async () => {
    const held = explorer.largestHeldVia('Record', 'sessionLog')!;
    const tree = await answerQuery(explorer, { kind: 'retainerTree', ordinal: held.ordinal });
    const variable = tree.path.find((r) => r.edgeType === 'context')!;
    assert.equal(variable.edgeName, 'sessionLog');
    const line = PROGRAM.split('\n').findIndex((l) => l.startsWith('const sessionLog')) + 1;
    assert.deepEqual(variable.declaration, { functionName: 'sessionLog', url: program, line, column: 7 });
    // The context's own link stays its function's (the closure exported as `peek`).
    assert.equal(variable.holder.location?.url, program);
    assert.notEqual(variable.holder.location?.line, line);
    // Only closure variables get one: the array's element does not.
    assert.equal(tree.path[0]!.edgeType, 'element');
    assert.equal(tree.path[0]!.declaration, undefined);
    // The same through the paged retainers of the array.
    const page = await answerQuery(explorer, { kind: 'retainers', ordinal: tree.path[0]!.holder.ordinal });
    assert.deepEqual(page.rows.find((r) => r.edgeName === 'sessionLog')?.declaration, variable.declaration);
  });
});
