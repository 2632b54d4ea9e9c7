// Attach to a Node process "in a pod" with the real kubectl against the local test API server
// (test/k8s-apiserver): discovery, pod reads, exec over WebSocket, port-forward as SPDY in a WebSocket
// (and the plain SPDY fallback), to real Node processes on this machine.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import CDP from 'chrome-remote-interface';
import { connectToPod, type PodConnection, type PodConnectionEvent } from '../../../src/core/k8s';
import {
  freePort,
  kubectlProcessesFor,
  portOpen,
  startCluster,
  startTarget,
  type Cluster,
  type TargetProcess,
} from '../../k8s-apiserver/harness';

/** Evaluates the fixed expression `process.pid` through the inspector URL. */
async function pidThrough(inspectorUrl: string): Promise<number> {
  const client = await CDP({ target: inspectorUrl, local: true });
  try {
    const { result } = await client.Runtime.evaluate({ expression: 'process.pid', returnByValue: true });
    return result.value as number;
  } finally {
    await client.close();
  }
}

describe('k8s: attach through kubectl exec + port-forward (real kubectl, local API server)', function () {
  this.timeout(60000);
  let cluster: Cluster;
  let dir: string;
  const targets: TargetProcess[] = [];
  const connections: PodConnection[] = [];

  before(async () => {
    cluster = await startCluster();
    dir = mkdtempSync(path.join(tmpdir(), 'hs-k8s-targets-'));
  });
  afterEach(async () => {
    for (const connection of connections.splice(0)) await connection.dispose();
    for (const target of targets.splice(0)) await target.stop();
    cluster.server.pods.splice(0);
    cluster.server.portForwardSpdyOnly = false;
    cluster.server.execSpdyOnly = false;
    cluster.server.serverMinorVersion = 32;
    cluster.server.dropForwardsAfterMs = undefined;
  });
  after(async () => {
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = async (
    pod: string,
    extra: { onEvent?: (e: PodConnectionEvent) => void; maxReconnects?: number } = {},
  ) => {
    const connection = await connectToPod(
      { namespace: 'shop', pod, kubeconfig: cluster.kubeconfig, context: 'fake' },
      { env: cluster.env, ...extra },
    );
    connections.push(connection);
    return connection;
  };

  it('attaches to a process already running with --inspect: nothing is done to the pod', async () => {
    const port = await freePort();
    const target = await startTarget(dir, { nodeArgs: [`--inspect=127.0.0.1:${port}`] });
    targets.push(target);
    cluster.server.pods.push({
      namespace: 'shop',
      name: 'api-0',
      containers: [
        {
          name: 'api',
          processes: [
            { pid: 1, cmdline: ['/pause'] },
            { pid: target.pid, real: true },
          ],
        },
      ],
      ports: { [port]: port },
    });
    const requestsBefore = cluster.server.requests.length;
    const connection = await connect('api-0');

    assert.match(connection.inspectorUrl, /^ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}$/);
    assert.notEqual(connection.localPort, port, 'the local end is a port of its own');
    assert.equal(connection.podPort, port);
    assert.equal(connection.pid, target.pid);
    assert.equal(connection.pod, 'shop/api-0/api');
    assert.equal(await pidThrough(connection.inspectorUrl), target.pid);
    assert.ok(
      connection.actions.some(
        (a) => a.includes(`already on (--inspect=127.0.0.1:${port})`) && /nothing changed/.test(a),
      ),
      connection.actions.join('\n'),
    );
    assert.ok(!connection.actions.some((a) => /SIGUSR1/.test(a)));
    if (cluster.tls) {
      assert.match(cluster.server.url, /^https:/);
      assert.ok(cluster.server.authenticatedRequests > 0, 'kubectl sent the token over TLS');
    }
    // The real protocols were used: exec over WebSocket v5, port-forward as SPDY tunnelled in a WebSocket.
    const streaming = cluster.server.requests.slice(requestsBefore).filter((r) => r.protocol);
    assert.ok(
      streaming.some((r) => r.path.endsWith('/exec') && r.protocol === 'v5.channel.k8s.io'),
      JSON.stringify(streaming),
    );
    assert.ok(
      streaming.some((r) => r.path.endsWith('/portforward') && r.protocol === 'SPDY/3.1+portforward.k8s.io'),
    );
  });

  it('turns the inspector on with SIGUSR1 when the process runs without --inspect', async () => {
    const port = await freePort();
    const target = await startTarget(dir, { nodeArgs: [`--inspect-port=${port}`] });
    targets.push(target);
    cluster.server.pods.push({
      namespace: 'shop',
      name: 'worker-0',
      containers: [{ name: 'worker', processes: [{ pid: target.pid, real: true }] }],
      ports: { [port]: port },
    });
    assert.equal(await portOpen(port), false, 'inspector off before');
    const connection = await connect('worker-0');
    assert.equal(target.inspectorPort(), port, 'the target printed that its inspector started');
    assert.equal(await pidThrough(connection.inspectorUrl), target.pid);
    const signal = connection.actions.find((a) => a.includes('SIGUSR1'));
    assert.ok(signal, connection.actions.join('\n'));
    assert.match(signal, new RegExp(`pid ${target.pid}`));
    assert.match(signal, /stays on until the process restarts/);
  });

  it('reads the inspector port from NODE_OPTIONS, and uses the shell builtin kill when the image has no kill binary', async () => {
    const port = await freePort();
    const target = await startTarget(dir, { env: { NODE_OPTIONS: `--inspect-port=${port}` } });
    targets.push(target);
    cluster.server.pods.push({
      namespace: 'shop',
      name: 'slim-0',
      containers: [
        { name: 'app', processes: [{ pid: target.pid, real: true }], imageKind: { noKillBinary: true } },
      ],
      ports: { [port]: port },
    });
    const connection = await connect('slim-0');
    assert.equal(connection.podPort, port);
    assert.equal(await pidThrough(connection.inspectorUrl), target.pid);
    assert.ok(
      connection.actions.some((a) => /SIGUSR1/.test(a) && /no kill binary/.test(a)),
      connection.actions.join('\n'),
    );
  });

  it('falls back to plain SPDY (exec and port-forward) when the WebSocket upgrades are refused', async () => {
    const port = await freePort();
    const target = await startTarget(dir, { nodeArgs: [`--inspect=127.0.0.1:${port}`] });
    targets.push(target);
    cluster.server.portForwardSpdyOnly = true;
    cluster.server.execSpdyOnly = true;
    cluster.server.pods.push({
      namespace: 'shop',
      name: 'api-1',
      containers: [{ name: 'api', processes: [{ pid: target.pid, real: true }] }],
      ports: { [port]: port },
    });
    const requestsBefore = cluster.server.requests.length;
    const connection = await connect('api-1');
    assert.equal(await pidThrough(connection.inspectorUrl), target.pid);
    const streaming = cluster.server.requests.slice(requestsBefore).filter((r) => r.protocol);
    const forwards = streaming.filter((r) => r.path.endsWith('/portforward'));
    const execs = streaming.filter((r) => r.path.endsWith('/exec'));
    assert.ok(
      forwards.length > 0 && forwards.every((r) => r.protocol === 'SPDY/3.1 portforward.k8s.io'),
      JSON.stringify(streaming),
    );
    assert.ok(
      execs.length > 0 && execs.every((r) => r.protocol === 'SPDY/3.1 v4.channel.k8s.io'),
      JSON.stringify(streaming),
    );
  });

  it('works against an older server (kubectl 1.28 where the install picks the release per server: SPDY only)', async () => {
    const port = await freePort();
    const target = await startTarget(dir, { nodeArgs: [`--inspect-port=${port}`] });
    targets.push(target);
    cluster.server.serverMinorVersion = 28;
    cluster.server.pods.push({
      namespace: 'shop',
      name: 'old-0',
      containers: [{ name: 'api', processes: [{ pid: target.pid, real: true }] }],
      ports: { [port]: port },
    });
    const requestsBefore = cluster.server.requests.length;
    const connection = await connect('old-0');
    assert.equal(await pidThrough(connection.inspectorUrl), target.pid);
    const streaming = cluster.server.requests.slice(requestsBefore).filter((r) => r.protocol);
    // With a single-release kubectl this is the WebSocket path again; with the dispatcher, kubectl 1.28.
    if (streaming.every((r) => r.userAgent?.startsWith('kubectl/v1.28.'))) {
      assert.ok(
        streaming.every((r) => r.protocol?.startsWith('SPDY/3.1 ')),
        JSON.stringify(streaming),
      );
    }
  });

  it('attaches in a distroless image (no shell) when the inspector was started with --inspect on 9229', async () => {
    const port = await freePort();
    const target = await startTarget(dir, { nodeArgs: [`--inspect=127.0.0.1:${port}`] });
    targets.push(target);
    cluster.server.pods.push({
      namespace: 'shop',
      name: 'distroless-1',
      containers: [
        { name: 'app', processes: [{ pid: target.pid, real: true }], imageKind: { distroless: true } },
      ],
      ports: { 9229: port },
    });
    const connection = await connect('distroless-1');
    assert.equal(connection.podPort, 9229);
    assert.equal(await pidThrough(connection.inspectorUrl), target.pid);
    assert.ok(
      connection.actions.some((a) => /has no shell/.test(a)),
      connection.actions.join('\n'),
    );
    assert.ok(!connection.actions.some((a) => /SIGUSR1/.test(a)));
  });

  it('warns when the inspector on the port belongs to another process of the pod', async () => {
    const portA = await freePort();
    const portB = await freePort();
    const app = await startTarget(dir, { nodeArgs: [`--inspect=127.0.0.1:${portA}`] });
    const other = await startTarget(dir, { nodeArgs: [`--inspect=127.0.0.1:${portB}`] });
    targets.push(app, other);
    cluster.server.pods.push({
      namespace: 'shop',
      name: 'mixed-0',
      // The pod's port portA answers with the other process's inspector.
      containers: [{ name: 'api', processes: [{ pid: app.pid, real: true }] }],
      ports: { [portA]: portB },
    });
    const connection = await connect('mixed-0');
    assert.equal(await pidThrough(connection.inspectorUrl), other.pid);
    assert.ok(
      connection.actions.some((a) => a.includes(`belongs to pid ${other.pid}, not to pid ${app.pid}`)),
      connection.actions.join('\n'),
    );
  });

  it('cancelling while the forward opens leaves no kubectl behind', async () => {
    const port = await freePort();
    const target = await startTarget(dir, { nodeArgs: [`--inspect=127.0.0.1:${port}`] });
    targets.push(target);
    cluster.server.pods.push({
      namespace: 'shop',
      name: 'api-9',
      containers: [{ name: 'api', processes: [{ pid: target.pid, real: true }] }],
      ports: { [port]: port },
    });
    const abort = new AbortController();
    const attempt = connectToPod(
      { namespace: 'shop', pod: 'api-9', kubeconfig: cluster.kubeconfig },
      {
        env: cluster.env,
        signal: abort.signal,
        log: (line) => line.includes('port-forward to') && abort.abort(),
      },
    );
    await assert.rejects(attempt, (e: Error & { code?: string }) => e.code === 'cancelled');
    assert.deepEqual(await kubectlProcessesFor(cluster.kubeconfig), []);
  });

  it('dispose tears the forward down: no kubectl left, local port closed, and says the inspector stays on', async () => {
    const port = await freePort();
    const target = await startTarget(dir, { nodeArgs: [`--inspect=127.0.0.1:${port}`] });
    targets.push(target);
    cluster.server.pods.push({
      namespace: 'shop',
      name: 'api-2',
      containers: [{ name: 'api', processes: [{ pid: target.pid, real: true }] }],
      ports: { [port]: port },
    });
    const connection = await connect('api-2');
    assert.equal(await portOpen(connection.localPort), true);
    assert.equal(
      (await kubectlProcessesFor(cluster.kubeconfig)).length,
      1,
      'one kubectl port-forward while attached',
    );
    await connection.dispose();
    assert.deepEqual(await kubectlProcessesFor(cluster.kubeconfig), []);
    assert.equal(await portOpen(connection.localPort), false);
    await waitFor(() => (cluster.server.openTunnels === 0 ? true : undefined), 5000); // the API server sees it close
    assert.match(connection.disposeNote, /inspector stays on in the process .*until it restarts/);
    await assert.rejects(connection.reconnect(), /closed/);
  });

  it('reopens a dropped forward on the same local port, and gives up after the bounded attempts', async () => {
    const port = await freePort();
    const target = await startTarget(dir, { nodeArgs: [`--inspect=127.0.0.1:${port}`] });
    targets.push(target);
    cluster.server.pods.push({
      namespace: 'shop',
      name: 'api-3',
      containers: [{ name: 'api', processes: [{ pid: target.pid, real: true }] }],
      ports: { [port]: port },
    });
    const events: PodConnectionEvent[] = [];
    const connection = await connect('api-3', { onEvent: (e) => events.push(e), maxReconnects: 2 });

    cluster.server.dropAllForwards();
    const url = await waitFor(async () => {
      if (!events.some((e) => e.type === 'forward-restored')) return undefined;
      return connection.reconnect();
    });
    assert.equal(url, connection.inspectorUrl, 'same local port, same URL');
    assert.equal(
      await pidThrough(url),
      target.pid,
      'the inspector answers again through the reopened forward',
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['forward-lost', 'forward-restored'],
    );

    // Now every tunnel is cut right after it opens: two more attempts, then a clear failure.
    cluster.server.dropForwardsAfterMs = 50;
    cluster.server.dropAllForwards();
    const failure = await waitFor(async () => events.find((e) => e.type === 'forward-failed'), 40000);
    assert.ok(failure?.type === 'forward-failed');
    assert.equal(failure.error.code, 'k8s-port-forward');
    assert.match(failure.error.message, /2 attempts/);
    assert.match(failure.error.message, /stopped retrying/);
    await assert.rejects(connection.reconnect(), (e: Error) => e === failure.error);
    assert.deepEqual(await kubectlProcessesFor(cluster.kubeconfig), [], 'no kubectl left after giving up');
  });
});

async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
