// Stop means stop, against real Node processes: during connect, on a frozen (SIGSTOP) target, on a
// heap that keeps growing, during a capture, with holder snapshots cut by their budget. Each stop
// must settle within a generous bound (a hang, not a latency, is what these catch; latency is
// measured in bench/stop) and leave no process of ours behind.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bounded } from '../../../src/core/inspector/cdp';
import { MemorySession, readRecording } from '../../../src/core/session';
import type { SessionState } from '../../../src/core/session';
import { alive, eventually, fixture, startNode, type Started } from '../inspector/targets';

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

/** A stuck stop shows as this, not as a mocha timeout. */
const STOP_BOUND_MS = 10_000;

/** Pids of processes whose command line holds `marker` (launched targets carry one). */
async function pidsWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker) && Number(entry) !== process.pid) found.push(Number(entry));
  }
  return found;
}

describe('MemorySession stop (real Node processes)', function () {
  this.timeout(60_000);
  let dir: string;
  const sessions: MemorySession[] = [];
  const started: Started[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heapscope-stop-'));
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.stop('test end').catch(() => undefined);
    for (const s of started.splice(0)) {
      if (s.child.pid) process.kill(s.child.pid, 'SIGCONT');
      await s.kill();
    }
    await rm(dir, { recursive: true, force: true });
  });

  function launch(script: string, env: Record<string, string> = {}) {
    const marker = `--heapscope-test-${randomUUID()}`;
    const session = new MemorySession({
      target: { kind: 'launch', command: process.execPath, args: [fixture(script), marker], env },
      metricsIntervalMs: 250,
      profileIntervalMs: 1000,
      recordingDir: join(dir, 'rec'),
    });
    sessions.push(session);
    return { session, marker };
  }

  it('stopped while connecting: start rejects as cancelled and nothing is left running', async () => {
    const { session, marker } = launch('idle.js');
    const starting = session.start();
    // Stop as soon as the process exists, before its inspector is attached.
    assert.ok(await until(async () => (await pidsWith(marker)).length > 0, 10_000), 'target spawned');
    assert.equal(session.status.state, 'connecting');
    const report = await bounded(session.stop('user stop'), STOP_BOUND_MS);
    await assert.rejects(starting, (error: Error & { code?: string }) => error.code === 'cancelled');
    assert.equal(session.status.state, 'stopped');
    assert.equal(report.samples, 0);
    assert.ok(await until(async () => (await pidsWith(marker)).length === 0, 5000), 'target gone');
  });

  it('abandon (a second Ctrl-C, a closing editor) kills a target that is still starting', async () => {
    const { session, marker } = launch('idle.js');
    const starting = session.start();
    starting.catch(() => undefined);
    assert.ok(await until(async () => (await pidsWith(marker)).length > 0, 10_000), 'target spawned');
    session.abandon();
    assert.ok(await until(async () => (await pidsWith(marker)).length === 0, 5000), 'target killed');
    await assert.rejects(starting);
  });

  it('stops a frozen (SIGSTOP) launched target and kills it', async () => {
    const { session } = launch('alloc.js');
    await session.start();
    assert.ok(await eventually(() => session.samples.length >= 2, 10_000));
    const pid = session.target.pid!;
    process.kill(pid, 'SIGSTOP');
    const report = await bounded(session.stop('user stop'), STOP_BOUND_MS);
    assert.equal(session.status.state, 'stopped');
    assert.ok(report.samples >= 2);
    assert.ok(await eventually(() => !alive(pid), 5000), 'frozen target killed');
  });

  it('lets go of a frozen attached target without waiting for it (it lives on)', async () => {
    const target = startNode(['--inspect=127.0.0.1:0', fixture('idle.js')]);
    started.push(target);
    const url = (await target.waitFor(/Debugger listening on (ws:\/\/\S+)/))[1];
    const session = new MemorySession({ target: { kind: 'attach', address: url }, metricsIntervalMs: 250 });
    sessions.push(session);
    await session.start();
    assert.ok(await eventually(() => session.samples.length >= 1, 10_000));
    process.kill(target.child.pid!, 'SIGSTOP');
    await bounded(session.stop('user stop'), STOP_BOUND_MS);
    assert.equal(session.status.state, 'stopped');
    assert.ok(alive(target.child.pid!), 'an attached target is never killed');
  });

  it('stops a target whose heap keeps growing, and the recording is closed with the report', async () => {
    const { session } = launch('grow.js', { GROW_TARGET_MB: '96', GROW_RATE_MB_PER_S: '4' });
    const states: SessionState[] = [];
    session.on('status', (s) => states.push(s.state));
    await session.start();
    assert.ok(
      await eventually(() => (session.samples.at(-1)?.heapUsedBytes ?? 0) > 64 * 1048576, 20_000),
      'heap grew',
    );
    const pid = session.target.pid!;
    const report = await bounded(session.stop('user stop'), STOP_BOUND_MS);
    assert.ok(await eventually(() => !alive(pid), 5000), 'target gone');
    assert.deepEqual(states.slice(-2), ['stopping', 'stopped']);
    const recorded = await readRecording(join(dir, 'rec'));
    assert.equal(recorded.report?.samples, report.samples, 'the report is in the recording');
    assert.ok(report.samples > 0);
  });

  it('a stop during a heap snapshot cancels the capture and leaves no partial file', async () => {
    const { session } = launch('grow.js', { GROW_TARGET_MB: '128', GROW_RATE_MB_PER_S: '1' });
    await session.start();
    assert.ok(
      await eventually(() => (session.samples.at(-1)?.heapUsedBytes ?? 0) > 100 * 1048576, 20_000),
      'heap grew',
    );
    const file = join(dir, 'big.heapsnapshot');
    const states: SessionState[] = [];
    session.on('status', (s) => states.push(s.state));
    const capture = session.takeHeapSnapshot(file);
    capture.catch(() => undefined);
    assert.ok(await eventually(() => session.status.state === 'capturing', 5000));
    assert.equal(session.status.message, 'taking heap snapshot — target paused');
    await assert.rejects(
      session.takeHeapSnapshot(join(dir, 'second.heapsnapshot')),
      /already being taken/,
      'one capture at a time',
    );
    await bounded(session.stop('user stop'), STOP_BOUND_MS);
    await assert.rejects(capture, (error: Error & { code?: string }) => error.code === 'cancelled');
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.includes('heapsnapshot')),
      [],
      'no snapshot file and no partial file',
    );
    assert.equal(session.status.state, 'stopped');
  });

  it('holder snapshots that do not fit the budget are skipped with a line saying why', async () => {
    const { session } = launch('grow.js', { GROW_TARGET_MB: '32', GROW_RATE_MB_PER_S: '1' });
    const lines: string[] = [];
    session.on('log', (l) => lines.push(l));
    await session.start();
    // The live verdict calls a leak only after 50 s of sustained rise (docs/leak-method.md).
    assert.ok(await eventually(() => session.verdict?.verdict === 'leak', 90_000), 'leak verdict');
    const outcome = await session.nameHolders({ budgetMs: 2000 });
    assert.equal(outcome.kind, 'skipped');
    assert.ok(
      lines.some((l) => /holder snapshots skipped: .* over the 2 s budget\. Give them more time/.test(l)),
    );
    assert.equal(session.report().holdersSkipped?.reason, outcome.kind === 'skipped' ? outcome.reason : '');
    assert.equal(session.status.state, 'observing', 'nothing was paused');

    // Asked again with room, then cancelled at the first step (VS Code's Cancel button).
    const cancel = new AbortController();
    const steps: string[] = [];
    const cancelled = await session.nameHolders({
      budgetMs: 600_000,
      signal: cancel.signal,
      onStep: (step) => {
        steps.push(step);
        cancel.abort();
      },
    });
    assert.equal(cancelled.kind, 'cancelled');
    assert.match(steps[0] ?? '', /heap snapshot 1 of 3 — target paused/);
    assert.equal(session.status.state, 'observing', 'back to observing after the cancel');
    assert.ok(await eventually(() => session.samples.length > 0, 1000));
  });
});
