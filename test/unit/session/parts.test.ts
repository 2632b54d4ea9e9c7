// The session's parts against a fake CDP client: the phase table, pause watching, profile sampling,
// the holder snapshot plan, pod reconnection and the bounded removal of what we put in a target.
import { strict as assert } from 'node:assert';
import type { Protocol } from 'devtools-protocol';
import { Lifecycle, canMove, stateOf, type Phase } from '../../../src/core/session/phase';
import { PauseWatcher } from '../../../src/core/session/pauseWatcher';
import { MAX_READINGS, ProfileSampler } from '../../../src/core/session/profileSampler';
import {
  DEFAULT_HOLDERS_BUDGET_MS,
  holderSnapshotCount,
  holdersCostSeconds,
  largestHeapForBudget,
  planHolders,
  runHolderSnapshots,
} from '../../../src/core/session/holderSnapshots';
import { PodReconnector } from '../../../src/core/session/podReconnector';
import { removeInstrumentation } from '../../../src/core/session/instrumentation';
import { bounded } from '../../../src/core/inspector/cdp';
import type { TrendVerdict } from '../../../src/core/types';
import { FakeCdp } from './fakeCdp';

const MiB = 1024 * 1024;

function profile(selfSize: number): Protocol.HeapProfiler.SamplingHeapProfile {
  const frame = (functionName: string) => ({
    functionName,
    scriptId: '1',
    url: 'file:///a.js',
    lineNumber: 3,
    columnNumber: 0,
  });
  return {
    head: {
      callFrame: frame('(root)'),
      selfSize: 0,
      id: 1,
      children: [{ callFrame: frame('make'), selfSize, id: 2, children: [] }],
    },
    samples: [{ size: selfSize, nodeId: 2, ordinal: 1 }],
  };
}

function verdict(kind: TrendVerdict['verdict']): TrendVerdict {
  return {
    verdict: kind,
    reason: '',
    growth: { heapBytesPerMinute: kind === 'leak' ? 5 * MiB : 0, externalBytesPerMinute: 0, confidence: 0.9 },
  } as TrendVerdict;
}

describe('session phase', () => {
  it('allows the table, refuses a revive after the end', () => {
    const seen: Phase[] = [];
    const life = new Lifecycle((p) => seen.push(p));
    assert.ok(life.to({ kind: 'connecting' }));
    assert.ok(life.to({ kind: 'observing' }));
    assert.ok(life.live);
    assert.ok(life.to({ kind: 'capturing', file: 'a' }));
    assert.ok(!life.to({ kind: 'unresponsive', sinceMs: 0 }), 'a capture is not an unresponsive target');
    assert.ok(life.to({ kind: 'stopping' }));
    assert.ok(!life.live && life.endingOrEnded);
    assert.ok(!life.to({ kind: 'observing' }), 'a late reading cannot revive a stopping session');
    assert.ok(life.to({ kind: 'ended', how: 'stopped' }));
    for (const next of ['observing', 'stopping', 'connecting'] as const)
      assert.ok(!life.to({ kind: next } as Phase), `ended -> ${next}`);
    assert.deepEqual(
      seen.map((p) => p.kind),
      ['connecting', 'observing', 'capturing', 'stopping', 'ended'],
    );
  });

  it('every phase can stop, and faces see one state per phase', () => {
    for (const kind of [
      'idle',
      'connecting',
      'observing',
      'paused-by-debugger',
      'unresponsive',
      'reconnecting',
      'capturing',
      'naming-holders',
    ] as const)
      assert.ok(canMove(kind, 'stopping') && canMove(kind, 'ended'), kind);
    assert.equal(stateOf({ kind: 'capturing', file: 'x' }), 'capturing');
    assert.equal(stateOf({ kind: 'paused-by-debugger' }), 'paused');
    assert.equal(stateOf({ kind: 'ended', how: 'target-exited' }), 'target-exited');
  });

  it('naming-holders may repeat itself (a new step), observing may not', () => {
    let changes = 0;
    const life = new Lifecycle(() => changes++);
    life.to({ kind: 'connecting' });
    life.to({ kind: 'observing' });
    assert.ok(!life.to({ kind: 'observing' }));
    assert.ok(life.to({ kind: 'naming-holders', step: 'a' }));
    assert.ok(life.to({ kind: 'naming-holders', step: 'b' }));
    assert.equal(changes, 4);
  });
});

describe('PauseWatcher', () => {
  it('turns breakpoints off, lets go of the domain on a pause and sees the resume through its probe', async () => {
    const cdp = new FakeCdp();
    let settleProbe: (() => void) | undefined;
    cdp
      .answer('Debugger.enable', () => ({ debuggerId: '1' }))
      .answer('Debugger.setBreakpointsActive', () => undefined)
      .answer('Debugger.disable', () => undefined)
      .answer(
        'Runtime.evaluate',
        () =>
          new Promise((resolve) => (settleProbe = () => resolve({ result: { type: 'number', value: 1 } }))),
      );
    const events: string[] = [];
    const watcher = new PauseWatcher(cdp, false, {
      paused: () => events.push('paused'),
      resumed: () => events.push('resumed'),
      log: () => undefined,
    });
    await watcher.attach(cdp);
    assert.deepEqual(cdp.methods(), ['Debugger.enable', 'Debugger.setBreakpointsActive']);
    assert.deepEqual(cdp.calls[1].params, { active: false });
    cdp.emit('Debugger.paused', { callFrames: [], reason: 'other' });
    assert.ok(watcher.paused);
    assert.ok(cdp.methods().includes('Debugger.disable'));
    assert.ok(settleProbe, 'a resume probe is out');
    settleProbe!();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(!watcher.paused);
    assert.deepEqual(events, ['paused', 'resumed']);
    watcher.dispose();
  });

  it('ignores instrumentation pauses and never touches a shared debugger domain', async () => {
    const cdp = new FakeCdp().answer('Debugger.enable', () => ({ debuggerId: '1' })).hang('Runtime.evaluate');
    const watcher = new PauseWatcher(cdp, true, {
      paused: () => undefined,
      resumed: () => undefined,
      log: () => undefined,
    });
    await watcher.attach(cdp);
    cdp.emit('Debugger.paused', { callFrames: [], reason: 'instrumentation' });
    assert.ok(!watcher.paused);
    cdp.emit('Debugger.paused', { callFrames: [], reason: 'other' });
    assert.ok(watcher.paused);
    assert.ok(!cdp.methods().includes('Debugger.setBreakpointsActive'));
    assert.ok(!cdp.methods().includes('Debugger.disable'));
    watcher.sawActivity();
    assert.ok(!watcher.paused, 'a GC batch from the target proves it runs');
    watcher.dispose();
  });
});

describe('ProfileSampler', () => {
  it("reads another tool's sampler without starting or stopping it", async () => {
    const cdp = new FakeCdp().answer('HeapProfiler.getSamplingProfile', () => ({ profile: profile(1000) }));
    const sampler = new ProfileSampler(cdp, 65536);
    assert.equal(await sampler.start(), false);
    assert.ok(sampler.on);
    await sampler.stop();
    assert.ok(!cdp.methods().includes('HeapProfiler.startSampling'));
    assert.ok(!cdp.methods().includes('HeapProfiler.stopSampling'));
  });

  it('starts and stops its own, and thins old readings', async () => {
    let running = false;
    const cdp = new FakeCdp()
      .answer('HeapProfiler.getSamplingProfile', () => {
        if (!running) throw new Error('not running');
        return { profile: profile(4096) };
      })
      .answer('HeapProfiler.startSampling', () => void (running = true))
      .answer('HeapProfiler.stopSampling', () => ((running = false), { profile: profile(0) }));
    const sampler = new ProfileSampler(cdp, 32768);
    assert.equal(await sampler.start(), true);
    assert.deepEqual(cdp.calls.find((c) => c.method === 'HeapProfiler.startSampling')?.params, {
      samplingInterval: 32768,
    });
    for (let i = 0; i <= MAX_READINGS; i++) await sampler.read(i);
    assert.ok(sampler.readings.length <= MAX_READINGS);
    assert.equal(sampler.readings.at(-1)?.timeMs, MAX_READINGS, 'the newest reading is kept');
    assert.ok(sampler.lastProfile);
    await sampler.stop();
    assert.ok(cdp.methods().includes('HeapProfiler.stopSampling'));
  });

  it('after a reconnect, restarts a sampler that stopped and drops readings that no longer compare', async () => {
    const first = new FakeCdp().answer('HeapProfiler.getSamplingProfile', () => ({ profile: profile(10) }));
    const sampler = new ProfileSampler(first, 65536);
    await sampler.start();
    await sampler.read();
    const second = new FakeCdp().answer('HeapProfiler.startSampling', () => undefined);
    assert.equal(await sampler.resumeOn(second), true);
    assert.equal(sampler.readings.length, 0);
  });
});

describe('holder snapshot plan', () => {
  it('is not needed without growth, skipped over the size limit or the budget, taken otherwise', () => {
    assert.equal(planHolders({ verdict: verdict('no-leak'), heapUsedBytes: MiB }).kind, 'not-needed');
    assert.equal(planHolders({ verdict: undefined, heapUsedBytes: MiB }).kind, 'not-needed');
    const big = planHolders({ verdict: verdict('leak'), heapUsedBytes: 300 * MiB, maxHeapBytes: 256 * MiB });
    assert.equal(big.kind, 'skip');
    assert.match(big.kind === 'skip' ? big.skipped.reason : '', /over the 256(\.0)? MiB limit/);
    const slow = planHolders({ verdict: verdict('leak'), heapUsedBytes: 200 * MiB, budgetMs: 30_000 });
    assert.equal(slow.kind, 'skip');
    if (slow.kind === 'skip') {
      // Even two snapshots (2 × 20 s + a 3 s gap) overrun 30 s.
      assert.match(slow.skipped.reason, /the two snapshots would take about 43 s .* over the 30 s budget/);
      assert.match(slow.advice, /--holders-budget/);
      assert.equal(slow.skipped.limitBytes, largestHeapForBudget(30_000, undefined, 2));
    }
    const fits = planHolders({
      verdict: verdict('leak'),
      heapUsedBytes: 20 * MiB,
      budgetMs: DEFAULT_HOLDERS_BUDGET_MS,
    });
    assert.deepEqual(fits.kind === 'take' && fits.count, 3);
  });

  it('a large heap gets two snapshots instead of losing its holders', () => {
    // Three would take 66 s of a 60 s budget; two take 43 s.
    const tight = planHolders({ verdict: verdict('leak'), heapUsedBytes: 200 * MiB, budgetMs: 60_000 });
    assert.deepEqual(tight.kind === 'take' && tight.count, 2);
    // Over 256 MiB, two even without a budget (the editor's "Name what holds the leak").
    const large = planHolders({ verdict: verdict('leak'), heapUsedBytes: 400 * MiB });
    assert.deepEqual(large.kind === 'take' && [large.count, Math.round(large.estimateSeconds)], [2, 83]);
    assert.equal(holderSnapshotCount(100 * MiB), 3);
    assert.equal(holderSnapshotCount(400 * MiB), 2);
    // The default size limit is 1 GiB: 400 MiB is taken, 2 GiB is not.
    assert.equal(planHolders({ verdict: verdict('leak'), heapUsedBytes: 2048 * MiB }).kind, 'skip');
  });

  it('after a slow first snapshot, one the budget cannot finish is not started', async () => {
    const taken: string[] = [];
    const steps: string[] = [];
    const result = await runHolderSnapshots({
      suspects: [],
      verdict: verdict('leak'),
      sources: { getScriptSource: async () => undefined },
      gapMs: 10,
      count: 3,
      budgetMs: 2_000,
      // The machine writes slower than the plan assumed: 800 ms each, so 2 more cannot fit.
      takeSnapshot: async (file) => {
        taken.push(file);
        await new Promise((resolve) => setTimeout(resolve, 800));
        return file;
      },
      log: () => undefined,
      onStep: (step) => steps.push(step),
      signals: [],
    });
    assert.equal(taken.length, 1);
    assert.equal(result.outcome.kind, 'cancelled');
    assert.match(
      result.outcome.kind === 'cancelled' ? result.outcome.reason : '',
      /the first snapshot paused the target 1 s: the next would overrun the 2 s budget/,
    );
    assert.deepEqual(steps.filter((s) => /target paused/.test(s)).length, 1);
  });

  it('the largest heap for a budget is the one whose cost is the budget', () => {
    const heap = largestHeapForBudget(60_000);
    assert.ok(Math.abs(holdersCostSeconds(heap) - 60) < 0.01);
    assert.equal(largestHeapForBudget(1000), 0, 'gaps alone overrun a tiny budget');
  });
});

describe('PodReconnector', () => {
  it('runs one reconnect at a time and restores the new client', async () => {
    const next = new FakeCdp();
    let opens = 0;
    const restored: FakeCdp[] = [];
    const reconnector = new PodReconnector({
      reopen: async () => (opens++, next),
      restore: async (client) => void restored.push(client as FakeCdp),
      isOver: () => false,
      gone: () => assert.fail('not gone'),
      log: () => undefined,
    });
    await Promise.all([reconnector.reconnect(), reconnector.reconnect()]);
    assert.equal(opens, 1);
    assert.deepEqual(restored, [next]);
    assert.ok(!reconnector.active);
  });

  it('closes a client that comes back after the session stopped, and reports a transport that gave up', async () => {
    const late = new FakeCdp();
    let gone = '';
    await new PodReconnector({
      reopen: async () => late,
      restore: async () => assert.fail('nothing to restore into a stopped session'),
      isOver: () => true,
      gone: () => assert.fail('a stopped session is not told'),
      log: () => undefined,
    }).reconnect();
    assert.ok(late.closed);
    await new PodReconnector({
      reopen: async () => {
        throw new Error('forward gave up');
      },
      restore: async () => undefined,
      isOver: () => false,
      gone: (message) => (gone = message),
      log: () => undefined,
    }).reconnect();
    assert.match(gone, /could not be reopened: forward gave up/);
  });
});

describe('removeInstrumentation', () => {
  it('gives up on a frozen target within its budget', async () => {
    const cdp = new FakeCdp().hang('Runtime.evaluate');
    let stopped = false;
    // Without its own budget this would never return; the outer bound turns that into a failure.
    await bounded(
      removeInstrumentation(cdp, async () => void (stopped = true), 50),
      5000,
    );
    assert.ok(stopped);
  });
});
