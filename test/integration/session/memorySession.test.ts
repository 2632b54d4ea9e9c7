// MemorySession against real Node processes: readings, GC events, allocation sites at the right line,
// pauses, snapshots streamed to disk, recordings that survive a SIGKILL, and a target that exits.
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCdpClient } from '../../../src/core/inspector';
import { validateReport } from '../../../src/core/report';
import { MemorySession, openRecording, readRecording } from '../../../src/core/session';
import type { SessionState } from '../../../src/core/session';
import type { AllocationProfileReading } from '../../../src/core/types';
import { alive, delay, eventually, fixture } from '../inspector/targets';

describe('MemorySession (real Node processes)', function () {
  this.timeout(90_000);
  let dir: string;
  let session: MemorySession | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heapscope-session-'));
  });
  afterEach(async () => {
    await session?.stop('test end').catch(() => undefined);
    session = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  function launch(script: string, extra: Partial<ConstructorParameters<typeof MemorySession>[0]> = {}) {
    session = new MemorySession({
      target: { kind: 'launch', command: process.execPath, args: [fixture(script)] },
      metricsIntervalMs: 250,
      profileIntervalMs: 1000,
      ...extra,
    });
    return session;
  }

  it('reads samples, receives GC events and finds the allocating line; records it all', async () => {
    const s = launch('alloc.js', { recordingDir: join(dir, 'rec') });
    const order: string[] = [];
    const readings: AllocationProfileReading[] = [];
    s.on('sample', () => order.push('sample'));
    s.on('gc', () => order.push('gc'));
    s.on('profile', (r) => readings.push(r));
    await s.start();
    assert.equal(s.status.state, 'observing');
    assert.ok(
      await eventually(() => readings.length >= 3 && s.gcEvents.length >= 3, 20_000),
      'profiles and GCs arrived',
    );
    const sample = s.samples[s.samples.length - 1];
    assert.ok(
      sample.heapUsedBytes > 1e6 && sample.heapUsedBytes <= sample.heapTotalBytes,
      'heapUsed plausible',
    );
    assert.ok(sample.rssBytes > sample.heapUsedBytes, 'rss above heap');
    assert.ok((sample.heapLimitBytes ?? 0) > 1e8, 'heap limit known');
    assert.ok(sample.spaces && sample.spaces.old_space > 0, 'old_space reported');
    const gc = s.gcEvents[0];
    assert.ok(['minor', 'major', 'incremental', 'weakcb'].includes(gc.kind));
    assert.ok(gc.durationMs >= 0 && gc.durationMs < 5000 && gc.heapUsedAfterBytes > 0);
    assert.ok(Math.abs(gc.timeMs - Date.now()) < 60_000, 'GC time is wall clock');
    // The sampling profiler names the allocating function by its start: makeRecord starts on line 5
    // of alloc.js, 0-based 4 in V8's raw frames.
    const last = readings[readings.length - 1];
    const site = last.sites.find((x) => x.stack[0].functionName === 'makeRecord');
    assert.ok(site, `makeRecord among ${last.sites.map((x) => x.stack[0].functionName).join(', ')}`);
    assert.equal(site.stack[0].lineNumber, 4);
    assert.match(site.stack[0].url, /alloc\.js$/);
    assert.ok(site.liveBytes > 0 && site.sampleCount > 0);
    assert.ok(order.includes('sample') && order.includes('gc'));

    const profileFile = await s.exportHeapProfile(join(dir, 'x.heapprofile'));
    const exported = JSON.parse(await readFile(profileFile, 'utf8'));
    assert.equal(exported.head.callFrame.functionName, '(root)');
    assert.ok(Array.isArray(exported.samples) && exported.samples.length > 0);

    const pid = s.target.pid!;
    const report = await s.stop('done');
    assert.deepEqual(validateReport(report), []);
    assert.equal(report.samples, s.samples.length);
    assert.ok(!alive(pid) || (await eventually(() => !alive(pid), 5000)), 'launched target stopped');
    const recorded = await readRecording(join(dir, 'rec'));
    assert.equal(recorded.samples.length, s.samples.length);
    assert.equal(recorded.gcEvents.length, s.gcEvents.length);
    assert.ok(recorded.profiles.length >= 3);
    assert.ok(recorded.profiles.some((p) => p.sites.some((x) => x.stack[0].functionName === 'makeRecord')));
    assert.equal(recorded.report?.samples, report.samples);
    const reopened = await openRecording(join(dir, 'rec'));
    assert.equal(reopened.samples.length, s.samples.length);
    await assert.rejects(reopened.forceGc(), /read-only/);
  });

  it('keeps still while a second client pauses the target, and resumes after', async () => {
    const s = launch('alloc.js');
    const states: SessionState[] = [];
    s.on('status', (status) => states.push(status.state));
    await s.start();
    assert.ok(await eventually(() => s.samples.length >= 2));
    const debuggerClient = await openCdpClient({ target: s.target.inspectorUrl! });
    try {
      await debuggerClient.send('Debugger.enable');
      await debuggerClient.send('Debugger.pause');
      assert.ok(await eventually(() => s.status.state === 'paused', 10_000), 'paused seen');
      const count = s.samples.length;
      await delay(1500);
      assert.equal(s.samples.length, count, 'no readings while paused');
      await debuggerClient.send('Debugger.resume');
      assert.ok(await eventually(() => s.status.state === 'observing', 10_000), 'observing again');
      assert.ok(await eventually(() => s.samples.length > count + 1, 10_000), 'readings again');
      // Pause again and let the debugger go away without resuming: Node resumes, and so must we.
      await debuggerClient.send('Debugger.pause');
      assert.ok(await eventually(() => s.status.state === 'paused', 10_000));
    } finally {
      await debuggerClient.close();
    }
    assert.ok(
      await eventually(() => s.status.state === 'observing', 10_000),
      'observing after the debugger left',
    );
    assert.deepEqual(states.filter((x) => x === 'paused').length, 2);
  });

  it('streams a heap snapshot to disk that JSON.parse accepts', async () => {
    const s = launch('idle.js', { allocationSampling: false });
    await s.start();
    let progress = 0;
    const file = await s.takeHeapSnapshot(join(dir, 'a.heapsnapshot'), { onProgress: () => progress++ });
    assert.ok(progress > 0);
    assert.ok((await stat(file)).size > 100_000);
    const snapshot = JSON.parse(await readFile(file, 'utf8'));
    const fields: string[] = snapshot.snapshot.meta.node_fields;
    assert.ok(snapshot.snapshot.node_count > 1000);
    assert.equal(snapshot.nodes.length, snapshot.snapshot.node_count * fields.length);
    assert.equal(s.report().snapshots?.length, 1);
    const cancel = new AbortController();
    cancel.abort();
    await assert.rejects(
      s.takeHeapSnapshot(join(dir, 'b.heapsnapshot'), { signal: cancel.signal }),
      /cancelled/,
    );
  });

  it('keeps what it saw when the target is killed, in the report and in the recording', async () => {
    const s = launch('alloc.js', { recordingDir: join(dir, 'rec') });
    await s.start();
    assert.ok(await eventually(() => s.samples.length >= 4, 10_000));
    const seen = s.samples.length;
    process.kill(s.target.pid!, 'SIGKILL');
    assert.ok(await eventually(() => s.status.state === 'target-exited', 10_000));
    // Read while the session has not been stopped: the lines are on disk as they arrived.
    const partial = await readRecording(join(dir, 'rec'));
    assert.ok(partial.samples.length >= seen);
    assert.equal(partial.report, undefined);
    const report = await s.stop();
    assert.ok(report.targetExited);
    assert.equal(report.targetExited.signal, 'SIGKILL');
    assert.ok(report.samples >= seen);
    assert.deepEqual(validateReport(report), []);
  });
});
