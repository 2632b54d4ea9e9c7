// Node children of the observed process: found on a real process tree, and a flat parent with
// children is capped at inconclusive.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { capForUnobservedChildren, nodeDescendants } from '../../../src/core/session/processTree';
import type { TrendVerdict } from '../../../src/core/types';

const noLeak: TrendVerdict = {
  verdict: 'no-leak',
  growth: { heapBytesPerMinute: 0, externalBytesPerMinute: 0, confidence: 0.95 },
  reason: 'JS heap post-GC floor flat.',
};

describe('session/processTree: Node children are not left out silently', () => {
  it('finds a grandchild Node process under a shell', async function () {
    this.timeout(20_000);
    // parent (node) → sh → child (node): the shape of `npm run start`.
    const parent = spawn(process.execPath, [join(__dirname, '..', '..', 'fixtures', 'tree', 'parent.js')], {
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    try {
      await once(parent.stdout!, 'data');
      const found = await nodeDescendants(parent.pid!);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.match(found[0].command, /child\.js/);
      assert.deepEqual(await nodeDescendants(found[0].pid), []);
    } finally {
      // The whole group: parent, shell and grandchild.
      process.kill(-parent.pid!, 'SIGKILL');
    }
  });

  it('caps a no-leak at inconclusive and names the children', () => {
    const out = capForUnobservedChildren(noLeak, 100, [{ pid: 101, command: 'node server.js' }]);
    assert.equal(out.verdict, 'inconclusive');
    assert.equal(out.growth.confidence, 0);
    assert.match(out.reason, /pid 101 `node server.js`/);
    assert.match(out.reason, /heapscope check --pid/);
  });

  it('leaves a leak, and a process without children, as they are', () => {
    const leak: TrendVerdict = { ...noLeak, verdict: 'leak' };
    assert.equal(capForUnobservedChildren(leak, 100, [{ pid: 101, command: 'node a.js' }]), leak);
    assert.equal(capForUnobservedChildren(noLeak, 100, []), noLeak);
  });
});
