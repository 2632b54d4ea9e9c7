// The near-heap-limit snapshot offer: what it says it costs, when it is not offered, and how the
// file Node writes is handed over (moved, mode 0600, only this process's, only since arming).
import { strict as assert } from 'node:assert';
import { mkdtemp, mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectNearLimitSnapshots, oomArmOffer } from '../../../src/extension/oomArm';
import type { MemorySample, TargetInfo } from '../../../src/core/types';

const GiB = 1024 ** 3;
const sample: MemorySample = {
  timeMs: 1,
  rssBytes: 1,
  heapTotalBytes: 1,
  heapUsedBytes: 1,
  externalBytes: 1,
  arrayBuffersBytes: 1,
  heapLimitBytes: 4 * GiB,
};

describe('extension/oomArm: arming a heap snapshot near the heap limit', () => {
  it('says what it costs at this heap limit and when it cannot work', () => {
    const offer = oomArmOffer({ kind: 'launch', nodeVersion: 'v22.12.0' }, sample);
    assert.equal(offer.available, true);
    assert.match(offer.cost, /limit \(4\.0 GiB\)/);
    assert.match(offer.cost, /stops for about/);
    assert.match(offer.cost, /up to about 36\.0 GiB/);
    assert.match(offer.cost, /container limit close to the heap limit/);
    assert.doesNotMatch(offer.cost, /debugger is attached/);
    const node20 = oomArmOffer({ kind: 'attach', nodeVersion: 'v20.20.2' }, undefined);
    assert.match(node20.cost, /about 1 s per 10 MiB/);
    assert.match(node20.cost, /On Node v20\.20\.2 the snapshot is skipped while a debugger is attached/);
  });

  it('is not offered for a recording or a pod, and says why', () => {
    const kinds: Array<TargetInfo['kind']> = ['recording', 'prometheus', 'k8s'];
    for (const kind of kinds) {
      const offer = oomArmOffer({ kind }, sample);
      assert.equal(offer.available, false, kind);
      assert.ok(offer.why && offer.why.length > 10, kind);
    }
    assert.match(oomArmOffer({ kind: 'k8s' }, sample).why!, /kubectl cp/);
    // Node 20 skips the snapshot while a debugger is attached: a debug session is armed on Node 22+ only.
    const debug20 = oomArmOffer({ kind: 'debug-session', nodeVersion: 'v20.20.2' }, sample);
    assert.equal(debug20.available, false);
    assert.match(debug20.why!, /Node 22 or later/);
    assert.equal(oomArmOffer({ kind: 'debug-session', nodeVersion: 'v24.21.0' }, sample).available, true);
  });

  describe('collectNearLimitSnapshots', () => {
    let root: string;
    beforeEach(async () => (root = await mkdtemp(join(tmpdir(), 'heapscope-oom-'))));
    afterEach(() => rm(root, { recursive: true, force: true }));

    it("moves this process's snapshots written since arming into the chosen folder, mode 0600", async () => {
      const from = join(root, 'cwd');
      const to = join(root, 'recording');
      await mkdir(from);
      await mkdir(to);
      const mine = 'Heap.20261205.104500.4242.0.001.heapsnapshot';
      const other = 'Heap.20261205.104500.999.0.001.heapsnapshot';
      const old = 'Heap.20261201.090000.4242.0.001.heapsnapshot';
      for (const name of [mine, other, old, 'notes.txt'])
        await writeFile(join(from, name), '{}', { mode: 0o644 });
      const armedAt = Date.now();
      const long = new Date(armedAt - 3600_000);
      await utimes(join(from, old), long, long);

      const moved = await collectNearLimitSnapshots(from, to, armedAt, { pid: 4242 });
      assert.deepEqual(moved, [join(to, mine)]);
      assert.equal((await stat(join(to, mine))).mode & 0o777, 0o600);
      assert.deepEqual((await readdir(from)).sort(), [old, other, 'notes.txt'].sort());
    });

    it('reports a file it cannot move and keeps it; a missing folder gives nothing', async () => {
      const from = join(root, 'cwd');
      await mkdir(from);
      const name = 'Heap.20261205.104500.4242.0.001.heapsnapshot';
      await writeFile(join(from, name), '{}');
      const errors: string[] = [];
      const moved = await collectNearLimitSnapshots(from, join(root, 'missing'), 0, {
        onError: (file) => errors.push(file),
      });
      assert.deepEqual(moved, []);
      assert.deepEqual(errors, [join(from, name)]);
      assert.deepEqual(await readdir(from), [name]);
      assert.deepEqual(await collectNearLimitSnapshots(join(root, 'nowhere'), root, 0), []);
    });
  });
});
