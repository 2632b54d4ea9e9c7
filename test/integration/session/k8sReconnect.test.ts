// A pod session whose port-forward drops mid-run: the session waits for the k8s module to reopen the
// forward, reattaches the inspector, puts its domains back and keeps sampling; when the forward cannot
// come back it ends as target-exited with the reason. Real kubectl against the local API server.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createMemorySession } from '../../../src/core/session';
import type { MemorySessionApi, SessionStatus } from '../../../src/core/session/api';
import {
  freePort,
  kubectlProcessesFor,
  startCluster,
  startTarget,
  type Cluster,
  type TargetProcess,
} from '../../k8s-apiserver/harness';
import { eventually } from '../inspector/targets';

/** Waits (40 s at most: kubectl reopens the forward with back-off) and fails naming what it waited for. */
async function until(what: string, test: () => boolean): Promise<void> {
  assert.ok(await eventually(test, 40_000), `timed out waiting for ${what}`);
}

describe('session: reconnect through a dropped port-forward', function () {
  this.timeout(120000);
  let cluster: Cluster;
  let dir: string;
  const targets: TargetProcess[] = [];
  let session: MemorySessionApi | undefined;
  const savedCacheDir = process.env.KUBECACHEDIR;

  before(async () => {
    cluster = await startCluster();
    process.env.KUBECACHEDIR = cluster.env.KUBECACHEDIR;
    dir = mkdtempSync(path.join(tmpdir(), 'hs-session-reconnect-'));
  });
  afterEach(async () => {
    await session?.stop('test done').catch(() => undefined);
    session = undefined;
    cluster.server.dropForwardsAfterMs = undefined;
  });
  after(async () => {
    for (const target of targets) await target.stop();
    await cluster?.close();
    if (savedCacheDir === undefined) delete process.env.KUBECACHEDIR;
    else process.env.KUBECACHEDIR = savedCacheDir;
    rmSync(dir, { recursive: true, force: true });
  });

  async function podWithNode(name: string): Promise<TargetProcess> {
    const port = await freePort();
    const target = await startTarget(dir, { nodeArgs: [`--inspect-port=${port}`] });
    targets.push(target);
    cluster.server.pods.push({
      namespace: 'shop',
      name,
      containers: [{ name: 'app', processes: [{ pid: target.pid, real: true }] }],
      ports: { [port]: port },
    });
    return target;
  }

  it('keeps sampling after the forward drops and reopens, with no gap read as a drop', async () => {
    const target = await podWithNode('api-0');
    const statuses: SessionStatus[] = [];
    const logs: string[] = [];
    session = createMemorySession({
      target: { kind: 'k8s', namespace: 'shop', pod: 'api-0', kubeconfig: cluster.kubeconfig },
      metricsIntervalMs: 200,
      profileIntervalMs: 500,
      log: (line) => logs.push(line),
    });
    session.on('status', (s) => statuses.push(s));
    let profiles = 0;
    session.on('profile', () => profiles++);
    await session.start();
    assert.equal(session.target.pid, target.pid, 'TargetInfo.pid is the pod connection pid');
    assert.equal(session.target.pod, 'shop/api-0/app');
    await until('first samples', () => session!.samples.length >= 3 && profiles >= 1);

    cluster.server.dropAllForwards();
    await until('the drop to be seen', () => statuses.some((s) => s.state === 'reconnecting'));
    const atDrop = session.samples.length;
    await until('the reattach', () => logs.some((l) => /inspector reattached/.test(l)));
    const profilesAtReattach = profiles;
    await until(
      'samples and profiles after the reconnect',
      () => session!.samples.length >= atDrop + 5 && profiles >= profilesAtReattach + 2,
    );

    assert.ok(
      statuses.some((s) => s.state === 'reconnecting' && /port-forward dropped/.test(s.message ?? '')),
      JSON.stringify(statuses),
    );
    assert.equal(session.status.state, 'observing', JSON.stringify(statuses));
    assert.ok(!statuses.some((s) => s.state === 'target-exited'), JSON.stringify(statuses));
    // Every sample is a real reading of the running program: nothing zero-filled over the gap.
    for (const sample of session.samples) assert.ok(sample.heapUsedBytes > 1_000_000, JSON.stringify(sample));
    const report = await session.stop('test done');
    assert.equal(report.targetExited, undefined);
    assert.ok(report.samples >= atDrop + 5);
    // The GC observer is installed once in the target even though it was installed twice.
    assert.equal(target.child.exitCode, null);
    assert.deepEqual(await kubectlProcessesFor(cluster.kubeconfig), []);
  });

  it('ends as target-exited with the reason when the forward cannot be kept up', async () => {
    await podWithNode('api-1');
    session = createMemorySession({
      target: { kind: 'k8s', namespace: 'shop', pod: 'api-1', kubeconfig: cluster.kubeconfig },
      metricsIntervalMs: 200,
      allocationSampling: false,
    });
    const ended = new Promise<SessionStatus>((resolve) =>
      session!.on('status', (s) => (s.state === 'target-exited' ? resolve(s) : undefined)),
    );
    await session.start();
    await until('first samples', () => session!.samples.length >= 2);
    // Every tunnel from now on is cut at once: each reopen fails, and the k8s module gives up.
    cluster.server.dropForwardsAfterMs = 0;
    cluster.server.dropAllForwards();
    const status = await ended;
    assert.match(status.message ?? '', /port-forward/);
    const report = await session.stop('test done');
    assert.match(report.targetExited?.message ?? '', /could not be reopened/);
    assert.ok(report.samples >= 2);
  });
});
