// Allocation stacks on a hand-built tracked snapshot: frames innermost first, Node's loader frames
// under the program left out, V8's own groups left out of the sites, and a trace tree that names a
// function info that does not exist ends the stack instead of failing the diff.
import assert from 'node:assert/strict';
import { HeapSnapshot, parseSnapshotBuffer } from '../../../src/core/heapsnapshot';
import { AllocationTraces, describeFrame } from '../../../src/core/heapsnapshot/allocationTraces';
import { snapshotText } from './helpers';

const strings = [
  '', // 0
  '(GC roots)', // 1
  'Item', // 2
  'grow', // 3
  '/srv/app.js', // 4
  'Module._load', // 5
  'node:internal/modules/cjs/loader', // 6
  '(root)', // 7
  '(compiled code)', // 8 (unused as a name: code nodes are typed)
];
// function infos: function_id, name, script_name, script_id, line, column
const functionInfos = [
  [0, 7, 0, 0, 0, 0], // 0: (root)
  [1, 5, 6, 1, 1003, 24], // 1: Module._load
  [2, 3, 4, 2, 5, 14], // 2: grow
].flat();
// trace tree: (root) 1 → Module._load 2 → grow 3; and 4 under the root naming info 99 (missing).
const tree = [1, 0, 0, 0, [2, 1, 0, 0, [3, 2, 0, 0, []]], 4, 99, 0, 0, []];

function tracked(): HeapSnapshot {
  // type, name, id, self_size, edge_count, trace_node_id, detachedness
  const nodes = [
    [9, 0, 1, 0, 1, 0, 0], // root
    [9, 1, 3, 0, 4, 0, 0], // (GC roots)
    [3, 2, 5, 40, 0, 3, 0], // Item from grow
    [3, 2, 7, 40, 0, 3, 0], // Item from grow
    [4, 8, 9, 500, 0, 3, 0], // compiled code from grow: a V8 group
    [3, 2, 11, 40, 0, 4, 0], // Item under the broken trace node
  ].flat();
  const edges = [1, 0, 7, 1, 0, 14, 1, 1, 21, 1, 2, 28, 1, 3, 35];
  return new HeapSnapshot(
    parseSnapshotBuffer(Buffer.from(snapshotText(nodes, edges, strings, { functionInfos, tree }))),
  );
}

describe('allocation stacks of tracked snapshots', () => {
  it('give each object its stack, innermost first, without the module loader under it', () => {
    const traces = AllocationTraces.of(tracked())!;
    assert.ok(traces);
    const stack = traces.stack(traces.traceOf(2));
    assert.deepEqual(stack, [{ functionName: 'grow', scriptName: '/srv/app.js', line: 5, column: 14 }]);
    assert.equal(describeFrame(stack[0]), 'grow, declared at /srv/app.js:5:14');
  });

  it('group objects by stack, leave V8 groups out, and end a stack at a missing function', () => {
    const traces = AllocationTraces.of(tracked())!;
    const sites = traces.sites(() => true, 5);
    assert.deepEqual(
      sites.map((s) => ({
        count: s.count,
        bytes: s.bytes,
        constructors: s.constructors,
        frames: s.frames.length,
      })),
      [
        { count: 2, bytes: 80, constructors: [{ name: 'Item', count: 2 }], frames: 1 },
        { count: 1, bytes: 40, constructors: [{ name: 'Item', count: 1 }], frames: 0 },
      ],
    );
  });

  it('are absent from snapshots taken without tracking', () => {
    const plain = new HeapSnapshot(
      parseSnapshotBuffer(Buffer.from(snapshotText([9, 0, 1, 0, 0, 0, 0], [], ['']))),
    );
    assert.equal(AllocationTraces.of(plain), undefined);
  });
});
