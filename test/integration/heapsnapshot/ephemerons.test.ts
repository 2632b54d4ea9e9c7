// WeakMap entries: V8 writes each as an internal edge from the table to the value (plus one from
// the key), named "<n> / part of key (… @k) -> value (… @v) pair in WeakMap (table @t)". DevTools
// ignores the table's side for dominators, so the value is retained by its key. A real process
// holds WeakMaps whose values are reachable only through them; every immediate dominator and
// retained size must equal DevTools', on one thread and on two (the second thread started for the
// analysis, or kept from a two-thread parse).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { HeapSnapshot, parseSnapshotBuffer, parseSnapshotFile } from '../../../src/core/heapsnapshot';
import { EDGE_TYPE_MASK, NON_ESSENTIAL } from '../../../src/core/heapsnapshot/dominators';
import { SnapshotTokenizer } from '../../../src/core/heapsnapshot/parser';
import { tempDir } from '../../unit/heapsnapshot/helpers';

const PROGRAM = `
const v8 = require('node:v8');
class Owner { constructor(i) { this.i = i; } }
class Payload { constructor(i) { this.data = new Array(20).fill(i); } }
const owners = [];
const byOwner = new WeakMap();
for (let i = 0; i < 300; i++) {
  const owner = new Owner(i);
  owners.push(owner);
  byOwner.set(owner, new Payload(i));
}
// Entries whose keys are held by nothing else (collected at the snapshot's GC), and a second
// map whose keys are also values of the first.
const chained = new WeakMap();
for (let i = 0; i < 50; i++) chained.set(byOwner.get(owners[i]), { note: 'chained ' + i });
globalThis.keep = { owners, byOwner, chained };
v8.writeHeapSnapshot(process.argv[1]);
`;

describe('WeakMap entries in a real snapshot', function () {
  this.timeout(120_000);
  const tmp = tempDir();
  after(() => tmp.dispose());

  it('are retained through their keys, as in Chrome DevTools, on one thread and on two', async () => {
    const file = path.join(tmp.dir, 'weakmaps.heapsnapshot');
    execFileSync(process.execPath, ['-e', PROGRAM, file], { stdio: 'pipe', timeout: 60_000 });
    const bytes = readFileSync(file);
    const { parse } = (await import('heap-snapshot-toolkit')) as unknown as {
      parse(
        stream: NodeJS.ReadableStream,
      ): Promise<{ retainedSizes: Float64Array; dominatorsTree: Uint32Array }>;
    };
    const devtools = await parse(Readable.from([bytes.toString('utf8')]));
    const one = new HeapSnapshot(parseSnapshotBuffer(bytes)).analyse({ parallel: false });
    // Shared arrays, as the two-thread parse of a big file gives them.
    const tokenizer = new SnapshotTokenizer(bytes.length, true);
    tokenizer.push(bytes);
    const two = new HeapSnapshot(tokenizer.finish()).analyse({ parallel: true });
    assert.equal(two.pageSearchOnHelper, true);
    assert.equal(two.foldOnHelper, true);
    assert.equal(two.helperFromParse, false);
    // Parsed from the file on two threads: the parse's helper thread stays on for the analysis.
    const kept = new HeapSnapshot(
      await parseSnapshotFile(file, { parallel: true, keepHelper: true }),
    ).analyse({
      parallel: true,
    });
    assert.equal(kept.helperFromParse, true, "the parse's helper was kept");
    const notKept = new HeapSnapshot(await parseSnapshotFile(file, { parallel: true })).analyse({
      parallel: true,
    });
    assert.equal(notKept.helperFromParse, false, 'kept only when asked for');
    assert.equal(notKept.pageSearchOnHelper, true);
    assert.equal(kept.pageSearchOnHelper, true);
    assert.equal(kept.foldOnHelper, true);

    // The rule was exercised: the table side of at least 350 entries is marked, the key side not.
    const { firstEdge, edgeTo, edgeTypes, edgeNames } = one.raw;
    let tableSides = 0;
    let keySides = 0;
    const internal = one.raw.meta.edgeTypes.indexOf('internal');
    for (let u = 0; u < one.nodeCount; u++) {
      for (let e = firstEdge[u]; e < firstEdge[u + 1]; e++) {
        if ((edgeTypes[e] & EDGE_TYPE_MASK) !== internal) continue;
        const name = one.raw.strings.get(edgeNames[e]);
        const table = /pair in WeakMap \(table @(\d+)\)$/.exec(name);
        if (!table) continue;
        if (Number(table[1]) === one.raw.nodeIds[u]) {
          assert.ok(edgeTypes[e] & NON_ESSENTIAL, `table side ${name}`);
          tableSides++;
        } else if (edgeTo[e] !== u) {
          assert.equal(edgeTypes[e] & NON_ESSENTIAL, 0, `key side ${name}`);
          keySides++;
        }
      }
    }
    assert.ok(tableSides >= 350, `table sides marked: ${tableSides}`);
    assert.ok(keySides >= 350, `key sides kept: ${keySides}`);

    for (const [label, ours] of [
      ['one thread', one],
      ['two threads', two],
      ["the parse's helper", kept],
    ] as const) {
      let dominatorMismatches = 0;
      let retainedMismatches = 0;
      for (let o = 0; o < ours.nodeCount; o++) {
        if (ours.dominators![o] !== devtools.dominatorsTree[o]) dominatorMismatches++;
        if (ours.retainedSizes![o] !== devtools.retainedSizes[o]) retainedMismatches++;
      }
      assert.equal(dominatorMismatches, 0, `${label}: dominators`);
      assert.equal(retainedMismatches, 0, `${label}: retained sizes`);
    }
    assert.deepEqual(two.raw.edgeTypes, one.raw.edgeTypes);
    assert.deepEqual(kept.raw.edgeTypes, one.raw.edgeTypes);
  });
});
