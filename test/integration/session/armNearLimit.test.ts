// Arming a running process for the near-heap-limit snapshot (what the extension offers on a leak
// verdict): the engine arms it through its fixed expression, the process writes the snapshot into
// its own folder on the way down, and the hand-over moves it to the chosen folder with mode 0600.
import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MemorySession } from '../../../src/core/session';
import { collectNearLimitSnapshots } from '../../../src/extension/oomArm';
import { eventually } from '../inspector/targets';

const fastLeak = resolve(__dirname, '..', '..', 'fixtures', 'oom', 'fast-leak.js');

describe('MemorySession.armHeapSnapshotNearLimit (real process running out of heap)', function () {
  this.timeout(120_000);
  let dir: string;
  let session: MemorySession | undefined;

  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'heapscope-arm-'))));
  afterEach(async () => {
    await session?.stop('test end').catch(() => undefined);
    session = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('arms a running target; its snapshot is moved to the chosen folder, 0600', async () => {
    const cwd = join(dir, 'app');
    const chosen = join(dir, 'recording');
    await mkdir(cwd);
    await mkdir(chosen);
    session = new MemorySession({
      // ~8 MB a second of kept strings: a 96 MB heap runs out in about 12 s.
      target: { kind: 'launch', command: process.execPath, args: ['--max-old-space-size=96', fastLeak], cwd },
      metricsIntervalMs: 500,
    });
    await session.start();
    const armedAt = Date.now();
    const written = await session.armHeapSnapshotNearLimit();
    assert.equal(written, cwd, 'a running process writes into its own folder');
    const pid = session.target.pid;
    assert.ok(
      await eventually(() => session!.status.state === 'target-exited', 90_000),
      `the target ran out of heap (state ${session.status.state})`,
    );
    const moved = await collectNearLimitSnapshots(cwd, chosen, armedAt, { pid });
    assert.equal(moved.length, 1, `snapshots: ${(await readdir(cwd)).join(', ')}`);
    const info = await stat(moved[0]);
    assert.equal(info.mode & 0o777, 0o600);
    assert.ok(info.size > 1_000_000, `${info.size} bytes`);
    assert.deepEqual(
      (await readdir(cwd)).filter((f) => f.endsWith('.heapsnapshot')),
      [],
      'nothing left behind in the process folder',
    );
  });
});
