// heapscope/testing's allocation sites: samples charged to the nearest frame of the user's code, and
// sites ranked by the growth of their live bytes, not their size.
import { strict as assert } from 'node:assert';
import type { HeapProfiler } from 'node:inspector';
import { allocationSites, growingSites } from '../../../src/testing/sites';

type Node = HeapProfiler.SamplingHeapProfileNode;
function node(
  functionName: string,
  url: string,
  lineNumber: number,
  selfSize: number,
  children: Node[] = [],
): Node {
  return {
    callFrame: { functionName, scriptId: '1', url, lineNumber, columnNumber: 4 },
    selfSize,
    children,
  };
}

function profile(leakBytes: number, cacheBytes: number): HeapProfiler.SamplingHeapProfile {
  return {
    head: node('(root)', '', -1, 0, [
      node('handle', 'file:///srv/app/orders.js', 9, 100, [
        // A builtin allocating for the user's function: charged to `remember`.
        node('remember', 'file:///srv/app/orders.js', 19, 0, [node('repeat', '', -1, leakBytes)]),
        // A dependency allocating for the user's function: charged to `price`.
        node('price', '/srv/app/orders.js', 29, 0, [
          node('lru', '/srv/app/node_modules/lru/index.js', 0, cacheBytes),
        ]),
        node('measure', '/srv/lib/testing.js', 0, 5000),
      ]),
      node('emit', 'node:events', 10, 700),
    ]),
  };
}

describe('heapscope/testing allocation sites', () => {
  it('charges samples to the nearest user frame, skipping internals, node_modules and the library', () => {
    const sites = allocationSites(profile(4096, 2048), new Set(['/srv/lib/testing.js']));
    const byName = Object.fromEntries([...sites.values()].map((s) => [s.functionName, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['handle', 'price', 'remember']);
    assert.equal(byName.remember!.bytes, 4096);
    assert.equal(byName.remember!.file, '/srv/app/orders.js');
    assert.equal(byName.remember!.line, 20);
    assert.equal(byName.remember!.column, 5);
    assert.equal(byName.price!.bytes, 2048);
    // The library's own frame (measure) is charged to its caller, handle: 100 + 5000.
    assert.equal(byName.handle!.bytes, 5100);
  });

  it('ranks by growth per iteration: a full cache that churns does not grow, a leak does', () => {
    const own = new Set<string>();
    const before = allocationSites(profile(10_000, 50_000), own);
    const after = allocationSites(profile(310_000, 50_000), own);
    const slope = (xs: readonly number[], ys: readonly number[]) => (ys[1]! - ys[0]!) / (xs[1]! - xs[0]!);
    const sites = growingSites([before, after], [0, 300], slope);
    assert.deepEqual(
      sites.map((s) => s.functionName),
      ['remember'],
    );
    assert.equal(sites[0]!.bytesPerIteration, 1000);
    assert.equal(sites[0]!.bytes, 310_000);
  });
});
