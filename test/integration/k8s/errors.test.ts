// Every failure a user meets on the way to a pod, produced for real: kubectl missing, a kubeconfig
// without contexts, an unreachable cluster, RBAC refusals from the API server, a pod not running, no
// Node process in the container, a distroless image; plus the listings the pickers show.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isHeapscopeError, type HeapscopeErrorCode } from '../../../src/core/errors';
import {
  connectToPod,
  listContainers,
  listContexts,
  listNamespaces,
  listPods,
  type PodTargetSpec,
} from '../../../src/core/k8s';
import {
  freePort,
  kubectlProcessesFor,
  startCluster,
  startTarget,
  type Cluster,
  type TargetProcess,
  writeExecPlugin,
} from '../../k8s-apiserver/harness';

describe('k8s: errors that say what to do, and the picker listings (real kubectl, local API server)', function () {
  this.timeout(60000);
  let cluster: Cluster;
  let dir: string;
  let target: TargetProcess;
  let port: number;

  before(async () => {
    cluster = await startCluster();
    dir = mkdtempSync(path.join(tmpdir(), 'hs-k8s-errors-'));
    port = await freePort();
    target = await startTarget(dir, { nodeArgs: [`--inspect-port=${port}`] });
    const created = new Date(Date.now() - 3 * 3600_000);
    cluster.server.pods.push(
      {
        namespace: 'shop',
        name: 'api-0',
        createdAt: created,
        containers: [
          { name: 'app', processes: [{ pid: target.pid, real: true }] },
          { name: 'sidecar', processes: [{ pid: 7, cmdline: ['/usr/bin/envoy', '-c', '/etc/envoy.yaml'] }] },
        ],
        ports: { [port]: port },
      },
      {
        namespace: 'shop',
        name: 'pending-0',
        phase: 'Pending',
        waitingReason: 'ContainerCreating',
        containers: [{ name: 'app', processes: [] }],
      },
      {
        namespace: 'shop',
        name: 'nginx-0',
        containers: [{ name: 'web', processes: [{ pid: 1, cmdline: ['nginx: master process'] }] }],
      },
      {
        namespace: 'shop',
        name: 'distroless-0',
        containers: [
          {
            name: 'app',
            processes: [{ pid: 1, cmdline: ['/nodejs/bin/node', 'server.js'] }],
            imageKind: { distroless: true },
          },
        ],
      },
    );
  });
  afterEach(() => {
    cluster.server.forbidden = [];
  });
  after(async () => {
    await target?.stop();
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const spec = (pod: string, extra: Partial<PodTargetSpec> = {}): PodTargetSpec => ({
    namespace: 'shop',
    pod,
    kubeconfig: cluster.kubeconfig,
    ...extra,
  });
  const expectError = async (promise: Promise<unknown>, code: HeapscopeErrorCode, ...patterns: RegExp[]) => {
    const error = await promise.then(
      () => assert.fail(`expected ${code}`),
      (e: unknown) => e,
    );
    assert.ok(isHeapscopeError(error, code), `expected ${code}, got ${String(error)}`);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return error;
  };

  it('kubectl not found', async () => {
    await expectError(
      connectToPod(spec('api-0'), { kubectlPath: path.join(dir, 'no-such-kubectl'), env: cluster.env }),
      'k8s-kubectl-missing',
      /kubectl was not found/,
      /install kubectl/,
    );
    await expectError(
      listContexts({}, { kubectlPath: path.join(dir, 'no-such-kubectl') }),
      'k8s-kubectl-missing',
    );
  });

  it('no contexts in the kubeconfig', async () => {
    const empty = cluster.server.writeKubeconfig(path.join(dir, 'empty-kubeconfig'), { empty: true });
    await expectError(
      listContexts({ kubeconfig: empty }, { env: cluster.env }),
      'k8s-no-context',
      /has no contexts/,
      /get-contexts/,
    );
    await expectError(
      connectToPod(spec('api-0', { kubeconfig: empty }), { env: cluster.env }),
      'k8s-no-context',
      /context/,
    );
    await expectError(
      connectToPod(spec('api-0', { context: 'no-such-context' }), { env: cluster.env }),
      'k8s-no-context',
      /no-such-context/,
    );
  });

  it('context unreachable', async () => {
    await expectError(
      connectToPod(spec('api-0', { context: 'unreachable' }), { env: cluster.env }),
      'k8s-unreachable',
      /Cannot reach the cluster of context "unreachable"/,
      /network or VPN/,
    );
  });

  it('credentials: an exec credential plugin works unchanged; a rejected token says to log in again', async function () {
    // kubectl sends credentials over TLS only; the certificate needs the openssl CLI (scripts/setup.sh).
    assert.ok(cluster.tls, 'the local API server runs without TLS: install openssl (bash scripts/setup.sh)');
    const { plugin, callsFile } = writeExecPlugin(dir);
    const viaPlugin = cluster.server.writeKubeconfig(path.join(dir, 'plugin-kubeconfig'), {
      auth: { kind: 'exec', plugin },
    });
    const before = cluster.server.authenticatedRequests;
    const pods = await listPods({ namespace: 'shop', kubeconfig: viaPlugin }, { env: cluster.env });
    assert.ok(pods.some((p) => p.name === 'api-0'));
    assert.ok(readFileSync(callsFile, 'utf8').includes('call'), 'kubectl ran the plugin');
    assert.ok(cluster.server.authenticatedRequests > before, 'and sent its token');

    const badToken = cluster.server.writeKubeconfig(path.join(dir, 'bad-kubeconfig'), {
      auth: { kind: 'bad-token' },
    });
    await expectError(
      connectToPod(spec('api-0', { kubeconfig: badToken }), { env: cluster.env }),
      'k8s-forbidden',
      /rejected your credentials/,
      /Log in again/,
    );
  });

  it('forbidden: names the RBAC verb and resource from the API Status', async () => {
    cluster.server.forbidden = [{ verb: 'get', resource: 'pods' }];
    await expectError(
      connectToPod(spec('api-0'), { env: cluster.env }),
      'k8s-forbidden',
      /may not get pods/,
      /permission to "get" the resource "pods" in namespace "shop"/,
    );
    cluster.server.forbidden = [{ verb: 'create', resource: 'pods/exec' }];
    await expectError(
      connectToPod(spec('api-0'), { env: cluster.env }),
      'k8s-forbidden',
      /may not create pods\/exec/,
      /"create" the resource "pods\/exec" in namespace "shop"/,
    );
    cluster.server.forbidden = [{ verb: 'create', resource: 'pods/portforward' }];
    await expectError(
      connectToPod(spec('api-0'), { env: cluster.env }),
      'k8s-forbidden',
      /"create" the resource "pods\/portforward"/,
    );
    cluster.server.forbidden = [{ verb: 'list', resource: 'pods' }];
    await expectError(
      listPods({ namespace: 'shop', kubeconfig: cluster.kubeconfig }, { env: cluster.env }),
      'k8s-forbidden',
      /"list" the resource "pods"/,
    );
    assert.deepEqual(await kubectlProcessesFor(cluster.kubeconfig), []);
  });

  it('pod not running', async () => {
    await expectError(
      connectToPod(spec('pending-0'), { env: cluster.env }),
      'k8s-pod-not-running',
      /not running \(status ContainerCreating, phase Pending\)/,
      /wait until it is Running/,
    );
  });

  it('no such pod or container', async () => {
    await expectError(
      connectToPod(spec('nope-0'), { env: cluster.env }),
      'k8s-not-found',
      /pods "nope-0" not found/,
    );
    await expectError(
      connectToPod(spec('api-0', { container: 'nope' }), { env: cluster.env }),
      'k8s-not-found',
      /containers: app, sidecar/,
    );
  });

  it('container without a Node process (lists what runs there)', async () => {
    await expectError(
      connectToPod(spec('nginx-0'), { env: cluster.env }),
      'k8s-no-node-process',
      /No Node.js process found/,
      /nginx: master process/,
    );
    await expectError(
      connectToPod(spec('api-0', { container: 'sidecar' }), { env: cluster.env }),
      'k8s-no-node-process',
      /envoy/,
      /containers: app, sidecar/,
    );
  });

  it('distroless image (no shell, no kill): explains the --inspect / NODE_OPTIONS alternative', async () => {
    await expectError(
      connectToPod(spec('distroless-0'), { env: cluster.env, inspectorTimeoutMs: 3000 }),
      'k8s-no-kill',
      /no shell and no `kill`/,
      /--inspect=127\.0\.0\.1:9229/,
      /NODE_OPTIONS=--inspect=127\.0\.0\.1:9229/,
    );
    assert.deepEqual(await kubectlProcessesFor(cluster.kubeconfig), [], 'no port-forward left behind');
  });

  it('finds the Node container among several when none is named', async () => {
    const connection = await connectToPod(spec('api-0'), { env: cluster.env });
    try {
      assert.equal(connection.pod, 'shop/api-0/app');
      assert.equal(connection.pid, target.pid);
    } finally {
      await connection.dispose();
    }
  });

  it('lists contexts (current first), namespaces, pods with status and age, and containers', async () => {
    const contexts = await listContexts({ kubeconfig: cluster.kubeconfig }, { env: cluster.env });
    assert.deepEqual(contexts, [
      { name: 'fake', current: true },
      { name: 'unreachable', current: false },
    ]);
    const namespaces = await listNamespaces(
      { kubeconfig: cluster.kubeconfig, context: 'fake' },
      { env: cluster.env },
    );
    assert.equal(namespaces.defaultNamespace, 'default');
    assert.deepEqual(namespaces.names, ['default', 'kube-system', 'shop']);
    cluster.server.forbidden = [{ verb: 'list', resource: 'namespaces' }];
    const restricted = await listNamespaces({ kubeconfig: cluster.kubeconfig }, { env: cluster.env });
    assert.deepEqual(restricted.names, ['default']);
    assert.match(restricted.restricted ?? '', /list namespaces/);

    const pods = await listPods({ namespace: 'shop', kubeconfig: cluster.kubeconfig }, { env: cluster.env });
    assert.deepEqual(
      pods.map((p) => [p.name, p.status, p.ready]),
      [
        ['api-0', 'Running', '2/2'],
        ['distroless-0', 'Running', '1/1'],
        ['nginx-0', 'Running', '1/1'],
        ['pending-0', 'ContainerCreating', '0/1'],
      ],
    );
    assert.equal(pods[0]!.age, '3h');
    const containers = await listContainers(
      { namespace: 'shop', pod: 'api-0', kubeconfig: cluster.kubeconfig },
      { env: cluster.env },
    );
    assert.deepEqual(
      containers.map((c) => [c.name, c.running]),
      [
        ['app', true],
        ['sidecar', true],
      ],
    );
  });
});
