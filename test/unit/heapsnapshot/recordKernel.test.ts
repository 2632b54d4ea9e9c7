import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseSnapshotBuffer } from '../../../src/core/heapsnapshot';
import { createRecordKernel, ScanStatus, type EdgeLayout } from '../../../src/core/heapsnapshot/recordKernel';
import { SNAPSHOT_META as META } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');
const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
// Ten nodes of seven fields; edge types 1 (element) and 5 (hidden) name indexes, not strings.
const EDGES: EdgeLayout = {
  nodeFieldCount: 7,
  typeCount: 7,
  nodeCount: 10,
  indexedTypes: [0, 1, 0, 0, 0, 1, 0],
};

function edgeColumns(size: number): { types: Uint8Array; names: Uint32Array; to: Uint32Array } {
  return { types: new Uint8Array(size), names: new Uint32Array(size), to: new Uint32Array(size) };
}

describe('WebAssembly record loops', () => {
  it('are built from wasm/records.ts as committed (the generated module is not stale)', () => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-wasm.mjs'), '--check'], { cwd: ROOT });
  });

  it('parse edge records into columns and stop before a record cut by the end of the input', () => {
    const kernel = createRecordKernel(1 << 16);
    const input = bytes('2,5,14\n,1,9,63\n,3,4294967300,0\n,2,7,2');
    const out = edgeColumns(8);
    const result = kernel.scanEdges(input, 0, input.length, Infinity, out, 1, 8, EDGES, -1);
    assert.equal(result.count, 3);
    assert.equal(result.status, ScanStatus.More, 'the last target may go on in the next chunk');
    assert.equal(input.subarray(result.next).toString(), '\n,2,7,2');
    assert.deepEqual([...out.types.subarray(1, 4)], [2, 1, 3]);
    assert.deepEqual([...out.to.subarray(1, 4)], [2, 9, 0]);
    // A name past 32 bits is clamped as the tokenizer does, and still counts as the largest.
    assert.deepEqual([...out.names.subarray(1, 4)], [5, 9, 0xffffffff]);
    assert.equal(result.largestName, 4294967300, 'element names (type 1) are indexes, not strings');
  });

  it('stop at the limit, at anything unusual, and at values the tokenizer must judge', () => {
    const kernel = createRecordKernel(1 << 16);
    const run = (text: string, limit = Infinity) => {
      const input = bytes(text);
      const result = kernel.scanEdges(input, 0, input.length, limit, edgeColumns(8), 0, 8, EDGES, -1);
      return { count: result.count, status: result.status, rest: text.slice(result.next) };
    };
    assert.deepEqual(run('2,5,14\n,1,9,63\n', 7), {
      count: 1,
      status: ScanStatus.Limit,
      rest: '\n,1,9,63\n',
    });
    assert.deepEqual(run('2,5,14\n,1,9,13\n,'), { count: 1, status: ScanStatus.Stop, rest: '\n,1,9,13\n,' });
    assert.deepEqual(run('2,5,14\n,7,9,7\n,'), { count: 1, status: ScanStatus.Stop, rest: '\n,7,9,7\n,' });
    assert.deepEqual(run('2,5,70\n'), { count: 0, status: ScanStatus.Stop, rest: '2,5,70\n' });
    assert.deepEqual(run('2,1234567890123456,7\n'), {
      count: 0,
      status: ScanStatus.Stop,
      rest: '2,1234567890123456,7\n',
    });
    assert.deepEqual(run('2,5,14]'), { count: 1, status: ScanStatus.Stop, rest: ']' });
    assert.deepEqual(run('2,5;14\n'), { count: 0, status: ScanStatus.Stop, rest: '2,5;14\n' });
  });

  it('give the same records whether the bytes are read into the kernel or copied in piece by piece', () => {
    const records: string[] = [];
    for (let i = 0; i < 40_000; i++) records.push(`${i % 7},${i * 7919},${(i % 10) * 7}`);
    const text = `${records.join('\n,')}\n]`;
    const kernel = createRecordKernel(1 << 16); // 64 kB: the text is copied in eight pieces
    const copied = edgeColumns(40_000);
    const outside = bytes(text);
    const a = kernel.scanEdges(outside, 0, outside.length, Infinity, copied, 0, 40_000, EDGES, -1);
    const big = createRecordKernel(1 << 20);
    big.input.write(text, 'latin1');
    const direct = edgeColumns(40_000);
    const b = big.scanEdges(big.input, 0, outside.length, Infinity, direct, 0, 40_000, EDGES, -1);
    assert.equal(a.count, 40_000);
    assert.deepEqual(a, b);
    assert.deepEqual(copied, direct);
    assert.equal(copied.names[39_999], 39_999 * 7919);
    assert.equal(a.largestName, 39_998 * 7919, 'the last record is an element edge (type 1)');
  });

  it('parse node records of both V8 layouts, the running edge index included', () => {
    const kernel = createRecordKernel(1 << 16);
    const columns = (n: number) => ({
      types: new Uint8Array(n),
      names: new Uint32Array(n),
      ids: new Uint32Array(n),
      sizes: new Uint32Array(n),
      firstEdge: new Uint32Array(n + 1),
      detachedness: new Uint8Array(n) as Uint8Array | undefined,
    });
    // Ten edges in all; 14 node types. V8 before 12 writes trace_node_id then detachedness (7
    // fields), V8 12 and later detachedness only (6).
    const before12 = { fieldCount: 7, traceField: 5, detachedField: 6, typeCount: 14, edgeCount: 10 };
    const since12 = { fieldCount: 6, traceField: -1, detachedField: 5, typeCount: 14, edgeCount: 10 };
    const scan = (text: string, out: ReturnType<typeof columns>, layout: typeof before12, largest = -1) =>
      kernel.scanNodes(bytes(text), 0, text.length, out, 0, out.types.length, layout, largest);
    const old = columns(3);
    const a = scan('9,1,1,0,5,0,0\n,3,2,3,40,2,0,300\n', old, before12);
    assert.deepEqual([a.count, a.status, a.largestName], [2, ScanStatus.More, 2], 'the largest name is kept');
    assert.deepEqual([...old.firstEdge], [0, 5, 7, 0]);
    assert.deepEqual([...old.detachedness!], [0, 255, 0], 'detachedness is clamped to a byte');
    assert.deepEqual([...old.sizes], [0, 40, 0]);
    const v12 = columns(2);
    const b = scan('9,1,1,0,5,2\n,3,2,3,40,2,0\n]', v12, since12, 7);
    assert.deepEqual([b.count, b.status, b.largestName], [2, ScanStatus.Full, 7]);
    assert.deepEqual([...v12.detachedness!], [2, 0]);
    assert.deepEqual([...v12.ids], [1, 3]);
    // A traced node (allocation tracking on), too many edges, a big id: left to the tokenizer.
    for (const text of ['9,1,1,0,5,7,0\n,', '9,1,1,0,11,0,0\n,', '9,1,4294967297,0,1,0,0\n,']) {
      const stop = scan(text, columns(1), before12);
      assert.deepEqual([stop.count, stop.status, stop.next], [0, ScanStatus.Stop, 0], text);
    }
  });

  it('copy whole strings with their escapes and leave a cut one to the tokenizer', () => {
    const kernel = createRecordKernel(1 << 16);
    const seen: string[] = [];
    const take = (raw: Uint8Array, ends: Uint32Array) => {
      let start = 0;
      for (const end of ends) {
        seen.push(Buffer.from(raw.subarray(start, end)).toString('latin1'));
        start = end;
      }
    };
    const text = '"a",\n"say \\"hi\\"",\n"",\n"back\\\\",\n"cut \\"he';
    const result = kernel.scanStrings(bytes(text), 0, text.length, take);
    assert.deepEqual(seen, ['a', 'say \\"hi\\"', '', 'back\\\\']);
    assert.equal(result.status, ScanStatus.More);
    assert.equal(text.slice(result.next), ',\n"cut \\"he');
    seen.length = 0;
    const ended = kernel.scanStrings(bytes('"x"]'), 0, 4, take);
    assert.deepEqual([seen, ended.status, ended.next], [['x'], ScanStatus.Stop, 3]);
  });

  it('leave the tokenizer a string longer than their buffer, and it still reads it right', () => {
    const long = 'x'.repeat(5 << 20) + '\\n"';
    const text = JSON.stringify({
      snapshot: { meta: META, node_count: 1, edge_count: 0, trace_function_count: 0 },
      nodes: [9, 1, 1, 0, 0, 0, 0],
      edges: [],
      trace_function_infos: [],
      trace_tree: [],
      samples: [],
      locations: [],
      strings: ['', long, 'after'],
    });
    const parsed = parseSnapshotBuffer(Buffer.from(text));
    assert.equal(parsed.strings.count, 3);
    assert.equal(parsed.strings.get(1), long);
    assert.equal(parsed.strings.get(2), 'after');
  });
});
