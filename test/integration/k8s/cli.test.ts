// `heapscope check --k8s ns/pod/container --kubeconfig …` end to end: the bundled CLI (dist/cli.js,
// built by the test command) drives the real kubectl against the local API server, reports what it did
// to the pod, writes a k8s report, and leaves no kubectl behind; and a forbidden pod gives exit code 2
// with the RBAC message.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ReportV1 } from '../../../src/core/types';
import {
  freePort,
  kubectlProcessesFor,
  startCluster,
  startTarget,
  type Cluster,
  type TargetProcess,
} from '../../k8s-apiserver/harness';
import { BUNDLED_CLI, runCli as runCliProcess } from '../cliRunner';

const runCli = (args: string[], env: NodeJS.ProcessEnv) => runCliProcess(args, { env });

describe('k8s: heapscope check --k8s (bundled CLI, real kubectl, local API server)', function () {
  this.timeout(90000);
  let cluster: Cluster;
  let dir: string;
  let target: TargetProcess;

  before(async function () {
    // Built by `npm test` (scripts/test.sh) before the suites run; a missing build is a failure, not a skip.
    if (!existsSync(BUNDLED_CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
    cluster = await startCluster();
    dir = mkdtempSync(path.join(tmpdir(), 'hs-k8s-cli-'));
    const port = await freePort();
    target = await startTarget(dir, { nodeArgs: [`--inspect-port=${port}`] });
    cluster.server.pods.push({
      namespace: 'shop',
      name: 'api-0',
      containers: [{ name: 'app', processes: [{ pid: target.pid, real: true }] }],
      ports: { [port]: port },
    });
  });
  after(async () => {
    await target?.stop();
    await cluster?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('observes the pod and writes a k8s report', async () => {
    const report = path.join(dir, 'report.json');
    const result = await runCli(
      [
        'check',
        '--k8s',
        'shop/api-0/app',
        '--kubeconfig',
        cluster.kubeconfig,
        '--context',
        'fake',
        '--duration',
        '3',
        '--metrics-interval',
        '250',
        '--no-holders',
        '--json',
        report,
      ],
      cluster.env,
    );
    assert.ok(
      result.code === 0 || result.code === 1 || result.code === 3,
      `exit ${result.code}: ${result.stderr}`,
    );
    const json = JSON.parse(readFileSync(report, 'utf8')) as ReportV1;
    assert.equal(json.target.kind, 'k8s');
    assert.match(json.target.pod ?? '', /^shop\/api-0/);
    assert.ok(json.samples >= 5, `samples: ${json.samples}`);
    assert.match(result.stderr, new RegExp(`SIGUSR1 to pid ${target.pid}`));
    assert.match(result.stderr, /inspector stays on in the process \(pid \d+\) until it restarts/);
    assert.deepEqual(await kubectlProcessesFor(cluster.kubeconfig), []);
  });

  it('refuses names that kubectl would read as flags, before any kubectl call', async () => {
    const before = cluster.server.requests.length;
    const hostile: Array<[string[], RegExp]> = [
      [['--k8s', 'shop/--as=system:admin'], /not a valid Kubernetes pod name/],
      [['--k8s', '--server=evil.example:443/api-0'], /not a valid Kubernetes namespace/],
      [['--k8s', 'shop/api-0/--privileged'], /not a valid Kubernetes container name/],
      [
        ['--k8s', 'shop/api-0', '--context', '--server=https://evil.example'],
        /not a valid Kubernetes context/,
      ],
    ];
    for (const [args, message] of hostile) {
      const result = await runCli(
        ['check', ...args, '--kubeconfig', cluster.kubeconfig, '--duration', '2'],
        cluster.env,
      );
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
    }
    assert.equal(cluster.server.requests.length, before, 'no request reached the API server');
  });

  it('exits 2 with the RBAC message when port-forward is forbidden', async () => {
    cluster.server.forbidden = [{ verb: 'create', resource: 'pods/portforward' }];
    try {
      const result = await runCli(
        ['check', '--k8s', 'shop/api-0', '--kubeconfig', cluster.kubeconfig, '--duration', '2'],
        cluster.env,
      );
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /"create" the resource "pods\/portforward" in namespace "shop"/);
    } finally {
      cluster.server.forbidden = [];
    }
  });
});
