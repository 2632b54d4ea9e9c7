// A live memory session on a pod target (TargetSpec kind 'k8s'), the way the CLI and the extension run
// it: the engine's MemorySession opens the pod connection (real kubectl, local API server), receives
// memory samples through the port-forward, and leaves nothing behind when stopped.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createMemorySession } from '../../../src/core/session';
import type { MemorySessionApi } from '../../../src/core/session/api';
import {
  freePort,
  kubectlProcessesFor,
  portOpen,
  startCluster,
  startTarget,
  type Cluster,
  type TargetProcess,
} from '../../k8s-apiserver/harness';

describe('k8s: live memory session through the port-forward', function () {
  this.timeout(90000);
  let cluster: Cluster;
  let dir: string;
  let target: TargetProcess;
  let session: MemorySessionApi | undefined;
  const savedCacheDir = process.env.KUBECACHEDIR;

  before(async () => {
    cluster = await startCluster();
    // The session's kubectl runs inherit this: discovery cache in the temp dir, not in ~/.kube.
    process.env.KUBECACHEDIR = cluster.env.KUBECACHEDIR;
    dir = mkdtempSync(path.join(tmpdir(), 'hs-k8s-session-'));
  });
  after(async () => {
    await session?.stop('test done').catch(() => undefined);
    await target?.stop();
    await cluster?.close();
    if (savedCacheDir === undefined) delete process.env.KUBECACHEDIR;
    else process.env.KUBECACHEDIR = savedCacheDir;
    rmSync(dir, { recursive: true, force: true });
  });

  it('samples memory of a process in a pod whose inspector was off, then tears the forward down', async () => {
    const port = await freePort();
    target = await startTarget(dir, { nodeArgs: [`--inspect-port=${port}`] });
    cluster.server.pods.push({
      namespace: 'shop',
      name: 'api-0',
      containers: [{ name: 'app', processes: [{ pid: target.pid, real: true }] }],
      ports: { [port]: port },
    });
    const logs: string[] = [];
    session = createMemorySession({
      target: { kind: 'k8s', namespace: 'shop', pod: 'api-0', kubeconfig: cluster.kubeconfig },
      metricsIntervalMs: 200,
      allocationSampling: false,
      log: (line) => logs.push(line),
    });
    await session.start();
    assert.equal(session.target.kind, 'k8s');
    assert.match(session.target.inspectorUrl ?? '', /^ws:\/\/127\.0\.0\.1:\d+\//);
    const localPort = Number(new URL(session.target.inspectorUrl!).port);

    await new Promise<void>((resolve) => {
      const check = () => (session!.samples.length >= 3 ? resolve() : setTimeout(check, 100));
      check();
    });
    const sample = session.samples[session.samples.length - 1]!;
    assert.ok(
      sample.heapUsedBytes > 1_000_000 && sample.rssBytes > sample.heapUsedBytes,
      JSON.stringify(sample),
    );
    assert.ok(
      logs.some((l) => /SIGUSR1/.test(l) && l.includes(`pid ${target.pid}`)),
      logs.join('\n'),
    );

    const report = await session.stop('test done');
    assert.ok(report.samples >= 3);
    assert.equal(report.target.kind, 'k8s');
    assert.deepEqual(await kubectlProcessesFor(cluster.kubeconfig), [], 'no kubectl left after the session');
    assert.equal(await portOpen(localPort), false, 'the local forward port is closed');
    assert.equal(target.child.exitCode, null, 'the process in the pod keeps running');
  });
});
