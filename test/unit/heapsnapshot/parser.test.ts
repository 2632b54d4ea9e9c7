import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { isHeapscopeError } from '../../../src/core/errors';
import {
  HeapSnapshot,
  parseSnapshotBuffer,
  parseSnapshotFile,
  summarize,
} from '../../../src/core/heapsnapshot';
import {
  findEdgesSection,
  sectionAfterEdges,
  SnapshotTokenizer,
} from '../../../src/core/heapsnapshot/parser';
import { SNAPSHOT_META as META, runLeaker, tempDir } from './helpers';

/** A tiny hand-made graph: nodes [type, name, id, size, edges[]] with edges [type, name, to]. */
function tinySnapshot(
  nodes: Array<[number, number, number, number, Array<[number, number, number]>]>,
  strings: string[],
): string {
  const flatNodes: number[] = [];
  const flatEdges: number[] = [];
  for (const [type, name, id, size, edges] of nodes) {
    flatNodes.push(type, name, id, size, edges.length, 0, 0);
    for (const [et, en, to] of edges) flatEdges.push(et, en, to * 7);
  }
  return JSON.stringify({
    snapshot: {
      meta: META,
      node_count: nodes.length,
      edge_count: flatEdges.length / 3,
      trace_function_count: 0,
    },
    nodes: flatNodes,
    edges: flatEdges,
    trace_function_infos: [],
    trace_tree: [],
    samples: [],
    locations: [],
    strings,
  });
}

function expectSnapshotError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isHeapscopeError(error), `expected a HeapscopeError, got ${String(error)}`);
    assert.ok(error.code === 'snapshot-malformed' || error.code === 'snapshot-truncated', error.code);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('heap snapshot parser', () => {
  // root(0) -> A(1) -> C(3); root -> B(2) -> C; C -> D(4); A -weak-> E(5); E only weakly held.
  const strings = ['', 'A', 'B', 'C', 'D', 'E', 'x', 'y', 'z', 'w'];
  const graph = tinySnapshot(
    [
      [
        9,
        0,
        1,
        0,
        [
          [2, 6, 1],
          [2, 7, 2],
        ],
      ],
      [
        3,
        1,
        3,
        10,
        [
          [2, 8, 3],
          [6, 9, 5],
        ],
      ],
      [3, 2, 5, 20, [[2, 8, 3]]],
      [3, 3, 7, 30, [[2, 6, 4]]],
      [3, 4, 9, 40, []],
      [3, 5, 11, 50, []],
    ],
    strings,
  );

  it('reads a hand-made snapshot into typed arrays and computes dominators and retained sizes', () => {
    const snapshot = new HeapSnapshot(parseSnapshotBuffer(Buffer.from(graph))).analyse();
    assert.equal(snapshot.nodeCount, 6);
    assert.equal(snapshot.edgeCount, 6);
    assert.deepEqual([...snapshot.raw.edgeTo], [1, 2, 3, 5, 3, 4]);
    assert.equal(snapshot.nodeName(3), 'C');
    // C is reachable through A and B: only the root dominates it. D is dominated by C.
    assert.deepEqual([...snapshot.dominators!], [0, 0, 0, 0, 3, 0]);
    assert.deepEqual([...snapshot.retainedSizes!], [150, 10, 20, 70, 40, 50]);
    assert.equal(snapshot.unreachableCount, 1, 'E is held only by a weak edge');
    assert.deepEqual([...snapshot.distances!].slice(0, 5), [0, 1, 1, 2, 3]);
    const summary = summarize(snapshot);
    assert.deepEqual(
      summary.constructors.map((c) => [c.name, c.count, c.shallowBytes, c.retainedBytes]),
      [
        ['C', 1, 30, 70],
        ['E', 1, 50, 50],
        ['D', 1, 40, 40],
        ['B', 1, 20, 20],
        ['A', 1, 10, 10],
      ],
    );
  });

  it('gives the same result whatever the chunk boundaries', () => {
    const bytes = Buffer.from(graph);
    for (const size of [1, 2, 3, 7, 64]) {
      const tokenizer = new SnapshotTokenizer(bytes.length);
      for (let i = 0; i < bytes.length; i += size) tokenizer.push(bytes.subarray(i, i + size));
      const raw = tokenizer.finish();
      assert.deepEqual([...raw.edgeTo], [1, 2, 3, 5, 3, 4], `chunk size ${size}`);
      assert.deepEqual([...raw.nodeSelfSizes], [0, 10, 20, 30, 40, 50]);
      assert.equal(raw.strings.get(9), 'w');
    }
  });

  it('decodes escaped strings lazily', () => {
    const text = tinySnapshot([[9, 1, 1, 0, []]], ['', 'quote " and \\ and é and \u2028 and \n']);
    const raw = parseSnapshotBuffer(Buffer.from(text));
    assert.equal(raw.strings.get(1), 'quote " and \\ and é and \u2028 and \n');
  });

  it('rejects non-snapshots and broken snapshots with the section and byte offset', () => {
    expectSnapshotError(() => parseSnapshotBuffer(Buffer.from('')), /empty \(at byte 0\)/);
    expectSnapshotError(
      () => parseSnapshotBuffer(Buffer.from('hello')),
      /expected '\{'.*found 'h' \(at byte 0\)/,
    );
    expectSnapshotError(() => parseSnapshotBuffer(Buffer.from('{"foo":1}')), /no "snapshot" meta/);
    expectSnapshotError(() => parseSnapshotBuffer(Buffer.from('[1,2,3]')), /expected '\{'/);
    const cut = graph.indexOf('"edges"') + 12;
    expectSnapshotError(
      () => parseSnapshotBuffer(Buffer.from(graph.slice(0, cut))),
      new RegExp(`truncated.*inside "edges".*at byte ${cut}`),
    );
    expectSnapshotError(
      () => parseSnapshotBuffer(Buffer.from(graph.replace('"nodes":[9,', '"nodes":[99,'))),
      /node 0 has type 99/,
    );
    expectSnapshotError(
      () => parseSnapshotBuffer(Buffer.from(graph.replace('"edges":[2,6,7', '"edges":[2,6,8'))),
      /edge 0 points at node offset 8/,
    );
    // Names past the string table, on the fast (WebAssembly) path and on the byte loop's (a node
    // cut by the end of the input goes through the latter).
    expectSnapshotError(
      () => parseSnapshotBuffer(Buffer.from(graph.replace('"nodes":[9,0,1,0,2', '"nodes":[9,77,1,0,2'))),
      /node 0 names string 77, but only \d+ strings exist/,
    );
    const tokenizer = new SnapshotTokenizer(graph.length);
    const bad = Buffer.from(graph.replace('"nodes":[9,0,1,0,2', '"nodes":[9,77,1,0,2'));
    const inNode = bad.indexOf('"nodes":[') + 11;
    tokenizer.push(bad.subarray(0, inNode));
    tokenizer.push(bad.subarray(inNode));
    expectSnapshotError(() => tokenizer.finish(), /node 0 names string 77/);
    expectSnapshotError(
      () => parseSnapshotBuffer(Buffer.from(graph.replace('"node_count":6', '"node_count":5'))),
      /more than snapshot.node_count/,
    );
    expectSnapshotError(
      () => parseSnapshotBuffer(Buffer.from(graph.replace('"node_count":6', '"node_count":900000000'))),
      /truncated or its counts are wrong/,
    );
    expectSnapshotError(
      () => parseSnapshotBuffer(Buffer.from(graph.replace('"nodes":[9,0,1,0,2', '"nodes":[9,0,1,0,x'))),
      /unexpected 'x' in "nodes" \(at byte \d+\)/,
    );
    expectSnapshotError(
      () =>
        parseSnapshotBuffer(Buffer.from(graph.replace('"node_fields":["type","name",', '"node_fields":['))),
      /node_types does not match its fields \(at byte \d+\)/,
    );
    expectSnapshotError(
      () => parseSnapshotBuffer(Buffer.from(`${graph}garbage`)),
      /after the end of the snapshot/,
    );
  });

  describe('on a real snapshot', function () {
    this.timeout(60_000);
    const tmp = tempDir();
    let file = '';
    before(() => {
      file = runLeaker(tmp.dir, 'array', 50, 10)[0];
    });
    after(() => tmp.dispose());

    it('parses it and agrees with JSON.parse on every array', async () => {
      const raw = await parseSnapshotFile(file, { chunkBytes: 65_537 });
      const json = JSON.parse(readFileSync(file, 'utf8')) as {
        nodes: number[];
        edges: number[];
        strings: string[];
        locations: number[];
      };
      assert.equal(raw.nodeCount * 7, json.nodes.length);
      for (let i = 0; i < raw.nodeCount; i++) {
        assert.equal(raw.nodeTypes[i], json.nodes[i * 7]);
        assert.equal(raw.nodeIds[i], json.nodes[i * 7 + 2]);
        assert.equal(raw.nodeSelfSizes[i], json.nodes[i * 7 + 3]);
      }
      for (let e = 0; e < raw.edgeCount; e++) assert.equal(raw.edgeTo[e] * 7, json.edges[e * 3 + 2]);
      assert.equal(raw.strings.count, json.strings.length);
      for (let i = 0; i < json.strings.length; i += 97) assert.equal(raw.strings.get(i), json.strings[i]);
      assert.equal(raw.locations.length, json.locations.length);
    });

    it('reads the node layout of V8 12 and later (Node 22+: no trace_node_id, one node type too many)', async () => {
      // The same heap written the way Node 22 and 24 write it: trace_node_id dropped from
      // node_fields and from every node record, node_types left with its entry (7 for 6 fields).
      const json = JSON.parse(readFileSync(file, 'utf8')) as {
        snapshot: { meta: { node_fields: string[]; node_types: unknown[] } };
        nodes: number[];
        edges: number[];
        locations: number[];
      };
      const fields = json.snapshot.meta.node_fields;
      assert.deepEqual(fields, [
        'type',
        'name',
        'id',
        'self_size',
        'edge_count',
        'trace_node_id',
        'detachedness',
      ]);
      json.snapshot.meta.node_fields = fields.filter((f) => f !== 'trace_node_id');
      assert.equal(json.snapshot.meta.node_types.length, 7);
      json.nodes = json.nodes.filter((_, i) => i % 7 !== 5);
      // Node offsets (edge targets, location objects) count 6 fields per node now.
      for (let i = 2; i < json.edges.length; i += 3) json.edges[i] = (json.edges[i] / 7) * 6;
      for (let i = 0; i < json.locations.length; i += 4) json.locations[i] = (json.locations[i] / 7) * 6;
      const modern = path.join(tmp.dir, 'v8-12.heapsnapshot');
      // V8's own line breaks (one record per line) keep the fast paths and the edge search in play.
      const text = JSON.stringify(json)
        .replace(
          /"nodes":\[(.*?)\]/,
          (_, nodes: string) => `"nodes":[${nodes.replace(/((?:\d+,){5}\d+),/g, '$1\n,')}]`,
        )
        .replace(
          /"edges":\[(.*?)\]/,
          (_, edges: string) => `\n"edges":[${edges.replace(/((?:\d+,){2}\d+),/g, '$1\n,')}]`,
        );
      writeFileSync(modern, text);
      for (const parallel of [false, true]) {
        // Fresh each time: the analysis folds shallow sizes in place.
        const before = await parseSnapshotFile(file, { parallel: false });
        const after = await parseSnapshotFile(modern, { parallel });
        assert.equal(after.nodeCount, before.nodeCount);
        assert.deepEqual(after.nodeTypes, before.nodeTypes);
        assert.deepEqual(after.nodeIds, before.nodeIds);
        assert.deepEqual(after.nodeSelfSizes, before.nodeSelfSizes);
        assert.deepEqual(after.firstEdge, before.firstEdge);
        assert.deepEqual(after.detachedness, before.detachedness);
        assert.deepEqual(after.edgeTo, before.edgeTo);
        assert.deepEqual(after.locations, before.locations);
        const a = new HeapSnapshot(before).analyse();
        const b = new HeapSnapshot(after).analyse();
        assert.deepEqual(b.retainedSizes, a.retainedSizes, `retained sizes (parallel: ${parallel})`);
      }
    });

    it("finds a node's source location whether or not the locations are in node order", async () => {
      const raw = await parseSnapshotFile(file);
      const sorted = new HeapSnapshot(raw);
      const l = raw.locations;
      assert.ok(l.length >= 40, 'the snapshot has locations');
      // The same records in reverse order.
      const reversed = new Uint32Array(l.length);
      for (let i = 0; i < l.length; i += 4) reversed.set(l.subarray(i, i + 4), l.length - 4 - i);
      const shuffled = new HeapSnapshot({ ...raw, locations: reversed });
      for (let i = 0; i < l.length; i += 4) {
        const expected = { scriptId: l[i + 1], line: l[i + 2], column: l[i + 3] };
        assert.deepEqual(sorted.location(l[i]), expected);
        assert.deepEqual(shuffled.location(l[i]), expected);
      }
      // A node without a location, before the first and after the last located node.
      const located = new Set<number>();
      for (let i = 0; i < l.length; i += 4) located.add(l[i]);
      const without = [0, raw.nodeCount - 1, ...Array.from({ length: 50 }, (_, k) => k * 7)].filter(
        (o) => !located.has(o),
      );
      assert.ok(without.length > 0);
      for (const o of without) {
        assert.equal(sorted.location(o), undefined);
        assert.equal(shuffled.location(o), undefined);
      }
    });

    it('parses the edges on a second thread with the same result, and falls back on bad edges', async () => {
      const sequential = await parseSnapshotFile(file, { parallel: false });
      const parallel = await parseSnapshotFile(file, { parallel: true });
      assert.ok(
        parallel.edgeTo.buffer instanceof SharedArrayBuffer,
        'the helper thread filled shared arrays',
      );
      assert.deepEqual(parallel.edgeTo, sequential.edgeTo);
      assert.deepEqual(parallel.edgeNames, sequential.edgeNames);
      assert.deepEqual(parallel.edgeTypes, sequential.edgeTypes);
      assert.deepEqual(parallel.nodeIds, sequential.nodeIds);
      assert.deepEqual(parallel.firstEdge, sequential.firstEdge);
      assert.equal(parallel.strings.count, sequential.strings.count);
      assert.deepEqual(parallel.locations, sequential.locations);
      // Small helper reads: the main thread, done with the nodes and strings long before the helper
      // is done with the edges, takes the last edges itself. Same arrays either way.
      const split = await parseSnapshotFile(file, { parallel: true, chunkBytes: 65_536 });
      assert.deepEqual(split.edgeTo, sequential.edgeTo);
      assert.deepEqual(split.edgeNames, sequential.edgeNames);
      assert.deepEqual(split.edgeTypes, sequential.edgeTypes);
      assert.equal(split.strings.count, sequential.strings.count);
      // A broken edges section: the helper gives up and the single pass names the byte.
      const bytes = readFileSync(file);
      const at = bytes.indexOf('"edges":[') + 2000;
      bytes[at] = 0x78; // 'x'
      const broken = path.join(tmp.dir, 'broken-edges.heapsnapshot');
      writeFileSync(broken, bytes);
      await assert.rejects(parseSnapshotFile(broken, { parallel: true }), (error: Error) => {
        assert.match(error.message, new RegExp(`edge.*\\(at byte ${at}\\)`));
        return true;
      });
    });

    it('finds where the edges start and end without reading the nodes or the edges (binary search by line shape)', async () => {
      const bytes = readFileSync(file);
      const marker = Buffer.from('\n"edges":[');
      const nodesAt = bytes.indexOf('"nodes":[');
      const edgesAt = bytes.indexOf(marker);
      const handle = await open(file, 'r');
      try {
        let bytesRead = 0;
        const counting = {
          read: async (buffer: Buffer, offset: number, length: number, position: number) => {
            const result = await handle.read(buffer, offset, length, position);
            bytesRead += result.bytesRead;
            return result;
          },
        } as unknown as typeof handle;
        const chunk = Buffer.allocUnsafe((8 << 20) + 1);
        const found = await findEdgesSection(counting, marker, nodesAt, bytes.length, 7, chunk);
        assert.equal(found, edgesAt);
        assert.ok(
          bytesRead < (edgesAt - nodesAt) / 2,
          `read ${bytesRead} bytes to find the edges; the nodes section has ${edgesAt - nodesAt}`,
        );
        // A layout where node and edge lines look alike: the plain forward search still finds it.
        bytesRead = 0;
        assert.equal(await findEdgesSection(counting, marker, nodesAt, bytes.length, 3, chunk), edgesAt);
        assert.ok(bytesRead >= edgesAt - nodesAt);
        // The section after the edges: its key starts at the first newline + quote after them.
        bytesRead = 0;
        const edgesStart = edgesAt + marker.length;
        const nextAt = bytes.indexOf('\n"', edgesStart);
        assert.equal(await sectionAfterEdges(counting, edgesStart, bytes.length, chunk), nextAt);
        assert.ok(
          bytesRead < (nextAt - edgesStart) / 2,
          `read ${bytesRead} bytes to find the end of ${nextAt - edgesStart} bytes of edges`,
        );
      } finally {
        await handle.close();
      }
    });

    it('parses mutated copies on two threads exactly as on one (or fails the same way)', async () => {
      const original = readFileSync(file);
      const edgesAt = original.indexOf('"edges":[');
      const stringsAt = original.indexOf('"strings":[');
      let seed = 777;
      const random = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const noise = Buffer.from(',]\n0123456789x');
      const mutated = path.join(tmp.dir, 'mutated-parallel.heapsnapshot');
      const outcome = async (options: { parallel: boolean; chunkBytes?: number }) => {
        try {
          const raw = await parseSnapshotFile(mutated, options);
          return JSON.stringify([raw.edgeCount, [...raw.edgeTo], [...raw.edgeNames], [...raw.edgeTypes]]);
        } catch (error) {
          assert.ok(isHeapscopeError(error), String((error as Error).stack));
          return error.message;
        }
      };
      for (let round = 0; round < 24; round++) {
        const bytes = Buffer.from(original);
        // Mostly in the edges (both threads' shares), sometimes in the sections after them.
        const at =
          round % 4 === 3 ? stringsAt - random(2000) : edgesAt + 12 + random(stringsAt - edgesAt - 12);
        bytes[at] = noise[random(noise.length)];
        writeFileSync(mutated, bytes);
        const single = await outcome({ parallel: false });
        // Small helper reads, so that the calling thread takes a share of the edges.
        const split = await outcome({ parallel: true, chunkBytes: 65_536 });
        assert.equal(split, single, `round ${round}: byte ${at}`);
      }
    });

    it('survives fuzzing: mutated and truncated copies give a snapshot error or a snapshot, never a crash', async () => {
      const original = readFileSync(file);
      let seed = 12345;
      const random = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const noise = Buffer.from('{}[],:"\\0123456789-eE. x\n');
      let errors = 0;
      let parsed = 0;
      const fuzzed = path.join(tmp.dir, 'fuzz.heapsnapshot');
      for (let round = 0; round < 120; round++) {
        let bytes: Buffer;
        if (round % 4 === 0) bytes = original.subarray(0, random(original.length));
        else {
          bytes = Buffer.from(original);
          // Mutations near the start hit the meta and the structure, the rest hit numbers and strings.
          const mutations = 1 + random(8);
          for (let m = 0; m < mutations; m++) {
            const at = round % 3 === 0 ? random(Math.min(2000, bytes.length)) : random(bytes.length);
            bytes[at] = noise[random(noise.length)];
          }
        }
        writeFileSync(fuzzed, bytes);
        try {
          const raw = await parseSnapshotFile(fuzzed, { chunkBytes: 1 << 20 });
          new HeapSnapshot(raw).analyse();
          parsed++;
        } catch (error) {
          assert.ok(isHeapscopeError(error), `round ${round}: ${String((error as Error).stack)}`);
          assert.match(error.code, /^snapshot-(malformed|truncated)$/);
          assert.match(error.message, /byte \d+/);
          errors++;
        }
      }
      assert.ok(errors > 30, `most mutations must be caught (${errors} errors, ${parsed} parsed)`);
    });
  });
});
