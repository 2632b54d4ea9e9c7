// What the live view shows of a launched tree, against a real `node --watch` restart: one entry per
// process (the watcher listed as a wrapper, both lives of the app), the chart's change of process
// marked as a restart, the chart's readings after it all the new process's, and the bridge's
// messages accepted by the webview's guard.
import { strict as assert } from 'node:assert';
import { join, resolve } from 'node:path';
import type { MemorySample } from '../../../src/core/types';
import { TreeSession } from '../../../src/core/session';
import { SessionRegistry } from '../../../src/extension/sessionRegistry';
import { eventMessages, fullStateMessages } from '../../../src/extension/webviewBridge';
import { isHostMessage } from '../../../src/shared/protocol';

const corpus = resolve(__dirname, '..', '..', 'fixtures', 'leaks');
/** The fixture rewrites its module after 20 s; the watcher restarts it within a few seconds. */
const RESTART_BOUND_MS = 50_000;

describe('TreeSession for the live view (a real node --watch restart)', function () {
  this.timeout(90_000);
  let session: TreeSession | undefined;

  after(async () => {
    await session?.stop('test end').catch(() => undefined);
  });

  it('lists every process, marks the restart and sends the new process’s readings only', async () => {
    session = new TreeSession({
      target: {
        kind: 'launch',
        command: process.execPath,
        args: ['--watch', join(corpus, 'watch-restart.js')],
        cwd: corpus,
      },
      metricsIntervalMs: 250,
      profileIntervalMs: 1000,
    });
    const s = session;
    const charted: MemorySample[] = [];
    s.on('sample', (sample) => charted.push(sample));
    const changed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no change of process in time')), RESTART_BOUND_MS);
      s.on('status', () => {
        if (s.followChanges.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await s.start();
    const firstPid = s.followedPid;
    assert.ok(firstPid, 'a followed process');
    await changed;
    const [change] = s.followChanges;
    assert.equal(s.followChanges.length, 1);
    assert.equal(change!.fromPid, firstPid);
    assert.equal(change!.toPid, s.followedPid);
    assert.notEqual(change!.toPid, firstPid);
    assert.equal(change!.restart, true, 'the new process replaced the one the chart followed');
    // Readings of the new life arrive after the change, none from before it.
    const afterCount = charted.length;
    await new Promise<void>((resolve) => s.once('sample', () => resolve()));
    const after = charted.slice(afterCount);
    assert.ok(after.length > 0 && after.every((x) => x.timeMs >= change!.timeMs));

    const processes = s.processes ?? [];
    const byPid = new Map(processes.map((p) => [p.pid, p]));
    assert.equal(processes.filter((p) => p.role === 'wrapper').length, 1, JSON.stringify(processes));
    assert.equal(processes.find((p) => p.role === 'wrapper')?.wrapper, 'node --watch');
    assert.ok(byPid.get(firstPid!)?.endedAtSeconds !== undefined, 'the first life ended');
    assert.ok(byPid.get(change!.toPid)?.verdict, 'the new life is observed');
    assert.equal(byPid.get(change!.toPid)?.endedAtSeconds, undefined);

    const registry = new SessionRegistry();
    const entry = registry.add({ id: 't', name: 'watch', origin: 'command', session: s, readOnly: false });
    registry.setCurrent('t');
    const messages = [...eventMessages(entry, 'status', registry), ...fullStateMessages(registry)];
    const sent = messages.find((m) => m.type === 'processes');
    assert.ok(sent && sent.type === 'processes');
    assert.deepEqual(sent.changes, s.followChanges);
    assert.equal(sent.followedPid, change!.toPid);
    for (const m of messages) assert.ok(isHostMessage(m), JSON.stringify(m).slice(0, 300));
    // A view opened now gets both lives, in time order, apart at the change.
    const init = messages.find((m) => m.type === 'init');
    assert.ok(init && init.type === 'init');
    const times = init.samples.map((x) => x.timeMs);
    assert.ok(
      times.every((t, i) => i === 0 || t > times[i - 1]!),
      'in time order',
    );
    assert.ok(times.some((t) => t < change!.timeMs) && times.some((t) => t >= change!.timeMs));
    assert.ok(init.samples.length > s.samples.length, 'more than the new life alone');
    assert.deepEqual(init.processes?.changes, s.followChanges);
  });
});
