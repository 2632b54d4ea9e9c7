// The flame graph of a sampling heap profile: a hand-built call tree whose layout is known, and a
// real profile written by a Node process through its inspector.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { flameGraph, functionTotals, parseHeapProfile } from '../../../src/core/heapprofile/flameGraph';
import { frameGrowth } from '../../../src/shared/flameGrowth';
import type { SamplingHeapProfileNode } from '../../../src/core/sampling/profile';
import { tempDir } from '../heapsnapshot/helpers';

const FIXTURE = path.resolve(__dirname, '../../fixtures/heapprofile/allocate.js');

function node(
  id: number,
  functionName: string,
  selfSize: number,
  children: SamplingHeapProfileNode[] = [],
  url = '/app/server.js',
): SamplingHeapProfileNode {
  return {
    id,
    selfSize,
    children,
    callFrame: { functionName, url, scriptId: '1', lineNumber: id, columnNumber: 2 },
  };
}

describe('heap profile flame graph', () => {
  it('lays out live bytes by stack: totals, left edges, largest child first, empty stacks left out', () => {
    const profile = {
      head: node(
        0,
        '(root)',
        0,
        [
          node(1, 'small', 100, [], 'node:internal/streams'),
          node(2, 'big', 50, [
            node(3, 'leaf', 400, [], '/app/node_modules/lib/index.js'),
            node(4, 'idle', 0),
          ]),
        ],
        '',
      ),
    };
    const graph = flameGraph(profile);
    assert.equal(graph.totalBytes, 550);
    assert.equal(graph.maxDepth, 2);
    assert.deepEqual(
      graph.frames.map((f) => [f.functionName, f.depth, f.totalBytes, f.startBytes, f.category, f.line]),
      [
        ['(root)', 0, 550, 0, 'native', 1],
        ['big', 1, 450, 0, 'user', 3],
        ['leaf', 2, 400, 0, 'dependency', 4],
        ['small', 1, 100, 450, 'node', 2],
      ],
    );
    for (const f of graph.frames.slice(1)) assert.ok(graph.frames[f.parent].index < f.index);
  });

  it('merges a function across stacks for the table, counting recursion once', () => {
    const profile = {
      head: node(0, '(root)', 0, [
        node(1, 'walk', 10, [node(1, 'walk', 20, [node(1, 'walk', 30)])]),
        node(2, 'other', 5, [node(1, 'walk', 7)]),
      ]),
    };
    const totals = functionTotals(flameGraph(profile));
    const walk = totals.find((t) => t.functionName === 'walk')!;
    assert.equal(walk.selfBytes, 67);
    assert.equal(walk.totalBytes, 67);
  });

  it('says what is wrong with a file that is not a heap profile', () => {
    assert.throws(
      () => parseHeapProfile('{"head": ', 'cut.heapprofile'),
      /cut.heapprofile is not a heap profile: it is not JSON/,
    );
    assert.throws(
      () => parseHeapProfile('{"nodes": []}', 'cpu.cpuprofile'),
      /cpu.cpuprofile is not a sampling heap profile/,
    );
  });

  it('shows where a real process allocates, with the function’s line', function () {
    this.timeout(30_000);
    const tmp = tempDir('heapscope-profile-');
    try {
      const file = path.join(tmp.dir, 'allocate.heapprofile');
      execFileSync(process.execPath, [FIXTURE, file], { stdio: 'pipe', timeout: 20_000 });
      const graph = flameGraph(parseHeapProfile(readFileSync(file, 'utf8'), file));
      const source = readFileSync(FIXTURE, 'utf8').split('\n');
      const records = graph.frames.filter((f) => f.functionName === 'allocateRecords');
      assert.ok(records.length >= 1);
      assert.ok(records[0].url.endsWith('allocate.js'), records[0].url);
      assert.match(source[records[0].line - 1], /function allocateRecords/);
      assert.equal(records[0].category, 'user');
      // ~60k records of ~150 bytes: several MB sampled, more than the 1 MB of buffers.
      const recordBytes = records.reduce((sum, f) => sum + f.totalBytes, 0);
      const bufferBytes = graph.frames
        .filter((f) => f.functionName === 'allocateBuffers')
        .reduce((s, f) => s + f.totalBytes, 0);
      assert.ok(recordBytes > 2_000_000, `records ${recordBytes}`);
      assert.ok(recordBytes > bufferBytes, `records ${recordBytes} vs buffers ${bufferBytes}`);
      // Children fit inside their parent.
      for (const f of graph.frames) {
        if (f.parent < 0) continue;
        const p = graph.frames[f.parent];
        assert.ok(f.startBytes >= p.startBytes && f.startBytes + f.totalBytes <= p.startBytes + p.totalBytes);
      }
    } finally {
      tmp.dispose();
    }
  });
});

describe('heap profile flame graph growth', () => {
  it('gives growing sites their rate and the stacks above them the largest rate below', () => {
    const profile = {
      head: node(0, '(root)', 0, [
        node(1, 'handler', 0, [node(2, 'cache', 500), node(3, 'log', 100)]),
        node(4, 'idle', 50),
      ]),
    };
    const graph = flameGraph(profile);
    const rates = frameGrowth(graph, [
      { functionName: 'cache', url: '/app/server.js', line: 3, bytesPerMinute: 2_000 },
      { functionName: 'log', url: '/app/server.js', line: 4, bytesPerMinute: 10 },
      // Another line of the same name is another site.
      { functionName: 'idle', url: '/app/server.js', line: 99, bytesPerMinute: 5_000 },
    ]);
    const rateOf = (name: string): number => rates[graph.frames.find((f) => f.functionName === name)!.index];
    assert.equal(rateOf('cache'), 2_000);
    assert.equal(rateOf('log'), 10);
    assert.equal(rateOf('handler'), 2_000);
    assert.equal(rateOf('(root)'), 2_000);
    assert.equal(rateOf('idle'), 0);
    assert.deepEqual([...frameGrowth(graph, [])], new Array(graph.frames.length).fill(0));
  });

  it('matches a site by its position when it has a column, whatever the frame is named', () => {
    // The frame named as the source map names it, the suspect as V8 does (a minified bundle).
    const profile = { head: node(0, '(root)', 0, [node(1, 'rememberVisit', 300), node(2, 'other', 100)]) };
    const graph = flameGraph(profile);
    const rates = frameGrowth(graph, [
      { functionName: 'E', url: '/app/server.js', line: 2, column: 3, bytesPerMinute: 700 },
      { functionName: 'other', url: '/app/server.js', line: 3, column: 9, bytesPerMinute: 50 },
    ]);
    const rateOf = (name: string): number => rates[graph.frames.find((f) => f.functionName === name)!.index];
    assert.equal(rateOf('rememberVisit'), 700);
    assert.equal(rateOf('other'), 0, 'another column is another function');
  });
});
