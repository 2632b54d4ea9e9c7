// Stop means stop for a launched tree, against real processes: a cluster (primary and two workers,
// all with an inspector) stopped while it starts, stopped with a frozen (SIGSTOP) worker, and
// abandoned. When stop resolves, no process of the tree is left: not the primary, not a worker.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bounded } from '../../../src/core/inspector/cdp';
import { TreeSession } from '../../../src/core/session';

const corpus = resolve(__dirname, '..', '..', 'fixtures', 'leaks');
const STOP_BOUND_MS = 10_000;

/** Pids of live processes whose command line holds `marker` (every process of the tree carries it). */
async function pidsWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker) && Number(entry) !== process.pid) found.push(Number(entry));
  }
  return found;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('TreeSession stop (a real cluster)', function () {
  this.timeout(60_000);
  const sessions: TreeSession[] = [];

  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.stop('test end').catch(() => undefined);
  });

  function launch() {
    const marker = `--heapscope-tree-${randomUUID()}`;
    // cluster.fork passes the primary's arguments on: every worker carries the marker too.
    const session = new TreeSession({
      target: {
        kind: 'launch',
        command: process.execPath,
        args: [join(corpus, 'cluster-one-worker-leak.js'), marker],
      },
      metricsIntervalMs: 250,
      profileIntervalMs: 1000,
    });
    sessions.push(session);
    return { session, marker };
  }

  it('stopped while the tree starts: start rejects as cancelled, nothing of the tree is left', async () => {
    const { session, marker } = launch();
    const starting = session.start();
    assert.ok(await until(async () => (await pidsWith(marker)).length > 0, 10_000), 'primary spawned');
    await bounded(session.stop('user stop'), STOP_BOUND_MS);
    await assert.rejects(starting, (error: Error & { code?: string }) => error.code === 'cancelled');
    assert.deepEqual(await pidsWith(marker), []);
  });

  it('stops an observed cluster with a frozen worker: every process is gone when stop resolves', async () => {
    const { session, marker } = launch();
    await session.start();
    assert.ok(
      await until(() => session.report().processes?.filter((p) => p.samples > 0).length === 3, 20_000),
      JSON.stringify(session.report().processes),
    );
    const worker = session.report().processes!.find((p) => p.role === 'app')!;
    process.kill(worker.pid, 'SIGSTOP');
    const report = await bounded(session.stop('user stop'), STOP_BOUND_MS);
    assert.equal(session.status.state, 'stopped');
    assert.deepEqual(report.processes?.map((p) => p.role).sort(), ['app', 'app', 'supervisor']);
    assert.deepEqual(await pidsWith(marker), []);
  });

  it('abandon (a second Ctrl-C) kills the whole tree at once', async () => {
    const { session, marker } = launch();
    await session.start();
    assert.ok(await until(async () => (await pidsWith(marker)).length === 3, 20_000), 'three processes');
    session.abandon();
    assert.ok(await until(async () => (await pidsWith(marker)).length === 0, 5000), 'tree killed');
  });
});
