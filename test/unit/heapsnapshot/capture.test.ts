// Snapshot capture against a fake CDP client: chunks land in order in a private file, an existing
// file or link is never followed or replaced, one capture at a time per client, a cancel leaves
// nothing. (A full disk is tested on a real file-size limit in test/integration/heapsnapshot.)
import { strict as assert } from 'node:assert';
import { lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  captureHeapSnapshot,
  captureInProgress,
  snapshotCost,
  snapshotCrossesLimit,
  SNAPSHOT_MEMORY_FACTOR,
} from '../../../src/core/heapsnapshot/capture';
import { FakeCdp } from '../session/fakeCdp';

const MiB = 1024 * 1024;

/** A fake target whose takeHeapSnapshot sends `chunks` and then answers (or waits for `release`). */
function snapshotTarget(chunks: string[], options: { waitFor?: Promise<void> } = {}): FakeCdp {
  const cdp = new FakeCdp();
  cdp
    .answer('HeapProfiler.enable', () => undefined)
    .answer('HeapProfiler.collectGarbage', () => undefined)
    .answer('HeapProfiler.takeHeapSnapshot', async () => {
      for (const [i, chunk] of chunks.entries()) {
        cdp.emit('HeapProfiler.reportHeapSnapshotProgress', { done: i, total: chunks.length });
        cdp.emit('HeapProfiler.addHeapSnapshotChunk', { chunk });
        await new Promise((resolve) => setImmediate(resolve));
      }
      await options.waitFor;
    });
  return cdp;
}

describe('captureHeapSnapshot', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heapscope-capture-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes the chunks in order to a 0600 file and leaves no partial file', async () => {
    const chunks = ['{"snapshot":', '{"a":1}', ',"nodes":[]}'];
    const file = join(dir, 'a.heapsnapshot');
    const progress: number[] = [];
    const result = await captureHeapSnapshot(snapshotTarget(chunks), file, {
      onProgress: (p) => progress.push(p.writtenBytes),
    });
    assert.equal(await readFile(file, 'utf8'), chunks.join(''));
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(result.bytes, chunks.join('').length);
    assert.deepEqual(await readdir(dir), ['a.heapsnapshot']);
    assert.ok(progress.at(-1)! >= result.bytes);
  });

  it('never replaces an existing file, and never follows a link at the partial name', async () => {
    const file = join(dir, 'b.heapsnapshot');
    await writeFile(file, 'keep me');
    await assert.rejects(captureHeapSnapshot(snapshotTarget(['x']), file), /already exists/);
    assert.equal(await readFile(file, 'utf8'), 'keep me');

    const victim = join(dir, 'victim');
    await writeFile(victim, 'do not touch');
    const other = join(dir, 'c.heapsnapshot');
    await symlink(victim, `${other}.partial`);
    await assert.rejects(captureHeapSnapshot(snapshotTarget(['x']), other), /already exists/);
    assert.equal(await readFile(victim, 'utf8'), 'do not touch');
    assert.ok((await lstat(`${other}.partial`)).isSymbolicLink(), 'the link is left as it was');
  });

  it('refuses a second capture on the same client while one runs', async () => {
    let release: () => void = () => undefined;
    const waitFor = new Promise<void>((resolve) => (release = resolve));
    const cdp = snapshotTarget(['{}'], { waitFor });
    const first = captureHeapSnapshot(cdp, join(dir, 'one.heapsnapshot'));
    assert.ok(captureInProgress(cdp));
    await assert.rejects(captureHeapSnapshot(cdp, join(dir, 'two.heapsnapshot')), /already being taken/);
    release();
    await first;
    assert.ok(!captureInProgress(cdp));
    assert.deepEqual(await readdir(dir), ['one.heapsnapshot']);
  });

  it('a cancel removes the partial file and frees the client', async () => {
    const cdp = snapshotTarget(['{"partial":'], { waitFor: new Promise(() => undefined) });
    const cancel = new AbortController();
    const capture = captureHeapSnapshot(cdp, join(dir, 'd.heapsnapshot'), {
      signal: cancel.signal,
      onProgress: (p) => {
        if (p.writtenBytes > 0) cancel.abort();
      },
    });
    await assert.rejects(capture, (error: Error & { code?: string }) => error.code === 'cancelled');
    assert.deepEqual(await readdir(dir), []);
    assert.ok(!captureInProgress(cdp));
  });

  it('says what a snapshot costs, and whether it could cross a memory limit', () => {
    const cost = snapshotCost(40 * MiB);
    assert.equal(cost.extraMemoryBytes, Math.round(40 * MiB * SNAPSHOT_MEMORY_FACTOR));
    assert.equal(cost.pauseSeconds, 4);
    assert.ok(!snapshotCrossesLimit(40 * MiB, { currentBytes: 200 * MiB }), 'no limit, never crosses');
    assert.ok(snapshotCrossesLimit(40 * MiB, { currentBytes: 200 * MiB, limitBytes: 256 * MiB }));
    assert.ok(!snapshotCrossesLimit(40 * MiB, { currentBytes: 200 * MiB, limitBytes: 1024 * MiB }));
  });
});
