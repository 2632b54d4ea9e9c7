// `heapscope snapshot --k8s` and the container's memory limit, through the real kubectl and the local
// API server (its containers report a memory cgroup): a snapshot that could cross the limit is
// refused without --force, taken with it, and taken without a word when there is room.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseCgroupMemory } from '../../../src/core/k8s';
import {
  freePort,
  kubectlProcessesFor,
  startCluster,
  startTarget,
  type Cluster,
  type TargetProcess,
} from '../../k8s-apiserver/harness';
import { BUNDLED_CLI, runCli } from '../cliRunner';

const MiB = 1024 * 1024;

describe('k8s: heapscope snapshot --k8s and the memory limit (bundled CLI, real kubectl)', function () {
  this.timeout(90000);
  let cluster: Cluster;
  let dir: string;
  let target: TargetProcess;
  const container = {
    name: 'app',
    processes: [] as Array<{ pid: number; real: boolean }>,
    cgroup: undefined as
      { version: 1 | 2; memoryLimitBytes?: number; memoryCurrentBytes: number } | undefined,
  };

  before(async function () {
    if (!existsSync(BUNDLED_CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
    cluster = await startCluster();
    dir = mkdtempSync(path.join(tmpdir(), 'hs-k8s-snap-'));
    const port = await freePort();
    target = await startTarget(dir, { nodeArgs: [`--inspect-port=${port}`] });
    container.processes.push({ pid: target.pid, real: true });
    cluster.server.pods.push({
      namespace: 'shop',
      name: 'api-0',
      containers: [container],
      ports: { [port]: port },
    });
  });
  after(async () => {
    await target?.stop();
    await cluster?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const snapshot = (out: string, extra: string[] = []) =>
    runCli(
      [
        'snapshot',
        '--k8s',
        'shop/api-0/app',
        '--kubeconfig',
        cluster.kubeconfig,
        '--context',
        'fake',
        '--out',
        out,
        ...extra,
      ],
      { env: cluster.env },
    );

  it('refuses a snapshot that could cross the limit, and says what to do', async () => {
    container.cgroup = { version: 2, memoryCurrentBytes: 60 * MiB, memoryLimitBytes: 64 * MiB };
    const out = path.join(dir, 'refused.heapsnapshot');
    const result = await snapshot(out);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /Not taking the snapshot: the container uses 60(\.0)? MiB of its 64(\.0)? MiB limit \(cgroup v2\)/,
    );
    assert.match(result.stderr, /--force/);
    assert.ok(!readdirSync(dir).some((f) => f.startsWith('refused')), 'no file');
    assert.deepEqual(await kubectlProcessesFor(cluster.kubeconfig), []);
  });

  it('takes it with --force, and says it did', async () => {
    container.cgroup = { version: 1, memoryCurrentBytes: 60 * MiB, memoryLimitBytes: 64 * MiB };
    const out = path.join(dir, 'forced.heapsnapshot');
    const result = await snapshot(out, ['--force']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /taking it anyway \(--force\)/);
    assert.ok(statSync(out).size > 100_000);
    assert.equal(statSync(out).mode & 0o777, 0o600);
  });

  it('takes it when the limit leaves room, or when there is none', async () => {
    container.cgroup = { version: 2, memoryCurrentBytes: 60 * MiB, memoryLimitBytes: 4096 * MiB };
    const roomy = await snapshot(path.join(dir, 'roomy.heapsnapshot'));
    assert.equal(roomy.code, 0, roomy.stderr);
    assert.match(roomy.stderr, /of its 4(\.0+)? GiB limit \(cgroup v2\)\./);
    container.cgroup = { version: 2, memoryCurrentBytes: 60 * MiB };
    const unlimited = await snapshot(path.join(dir, 'unlimited.heapsnapshot'));
    assert.equal(unlimited.code, 0, unlimited.stderr);
    assert.doesNotMatch(unlimited.stderr, /limit/);
    assert.match(unlimited.stderr, /needs about .* more memory while V8 writes the snapshot/);
  });

  it('check --k8s reads the container limit: the horizon rule gets its second limit', async () => {
    container.cgroup = { version: 2, memoryCurrentBytes: 60 * MiB, memoryLimitBytes: 256 * MiB };
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
        '--no-holders',
      ],
      { env: cluster.env },
    );
    // Three seconds can tell nothing: inconclusive (3), but observed, through the real kubectl.
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /container memory limit 256(\.0)? MiB \(cgroup v2\)/);
    assert.deepEqual(await kubectlProcessesFor(cluster.kubeconfig), []);
  });

  it('reads cgroup v1 and v2 files, "no limit" included', () => {
    assert.deepEqual(parseCgroupMemory('v2\nmax\n1234\n'), { source: 'cgroup v2', currentBytes: 1234 });
    assert.deepEqual(parseCgroupMemory('v2\n5000\n1234\n'), {
      source: 'cgroup v2',
      limitBytes: 5000,
      currentBytes: 1234,
    });
    assert.deepEqual(parseCgroupMemory('v1\n9223372036854771712\n77\n'), {
      source: 'cgroup v1',
      currentBytes: 77,
    });
    assert.deepEqual(parseCgroupMemory(''), { source: 'unknown' });
  });
});
