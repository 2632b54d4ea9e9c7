// Pure parts of the k8s module: the /proc scan output, Node's inspector flags, which process is the
// app, kubectl's failures turned into errors, pod summaries, pod references; and the test API
// server's SPDY header codec (the same bytes kubectl's zlib reads and writes).
import { strict as assert } from 'node:assert';
import { constants as zlibConstants, createDeflate } from 'node:zlib';
import { binaryMissing } from '../../../src/core/k8s/connect';
import { kubectlFailure, targetFlags } from '../../../src/core/k8s/kubectl';
import { checkContext, parsePodRef } from '../../../src/core/k8s/podRef';
import { formatAge, summarizePod } from '../../../src/core/k8s/pods';
import {
  SCAN_SCRIPT,
  chooseNodeProcess,
  nodeOptionsOf,
  parseInspectorFlags,
  parseScanOutput,
  type ContainerProcess,
} from '../../../src/core/k8s/processScan';
import {
  HeaderCodec,
  SPDY3_DICTIONARY,
  adler32,
  decodeHeaderBlock,
  encodeHeaderBlock,
} from '../../k8s-apiserver/spdy';

const proc = (pid: number, argv: string[], extra: Partial<ContainerProcess> = {}): ContainerProcess => ({
  pid,
  exe: '/usr/local/bin/node',
  argv,
  nodeOptions: '',
  ...extra,
});

describe('k8s: process scan', () => {
  it('parses the scan output, skipping the scanning shell itself', () => {
    const out =
      'HSSELF\t42\n' +
      'HSPROC\t1\t/usr/local/bin/node\tnode\x1fserver.js\x1f\t--max-old-space-size=512\n' +
      'HSPROC\t42\t/bin/dash\tsh\x1f-c\x1f...\x1f\t\n' +
      'HSPROC\t17\t\tnginx: master process\x1f\t\n';
    const processes = parseScanOutput(out);
    assert.deepEqual(processes, [
      {
        pid: 1,
        exe: '/usr/local/bin/node',
        argv: ['node', 'server.js'],
        nodeOptions: '--max-old-space-size=512',
      },
      { pid: 17, exe: '', argv: ['nginx: master process'], nodeOptions: '' },
    ]);
  });

  it('keeps every /proc path of the script starting with "/proc/"', () => {
    assert.ok(!/\/proc(?!\/)/.test(SCAN_SCRIPT));
    assert.ok(!SCAN_SCRIPT.includes('ps '), 'no ps: slim images lack procps');
  });

  it('chooses the app, not npm or a --watch supervisor, and honours a given pid', () => {
    const npm = proc(1, ['npm', 'start']);
    const npmCli = proc(5, ['node', '/usr/local/lib/node_modules/npm/bin/npm-cli.js', 'start']);
    const app = proc(20, ['node', '--enable-source-maps', 'dist/server.js']);
    const worker = proc(31, ['node', 'dist/worker.js']);
    const sh = proc(12, ['/bin/sh', '-c', 'node dist/server.js'], { exe: '/bin/dash' });
    assert.equal(chooseNodeProcess([npm, sh, npmCli, worker, app]).chosen, app);
    assert.deepEqual(
      chooseNodeProcess([npm, sh, npmCli, worker, app]).others.map((p) => p.pid),
      [1, 5, 31],
    );
    assert.equal(chooseNodeProcess([npm, worker, app], 31).chosen, worker);
    assert.equal(chooseNodeProcess([sh]).chosen, undefined);
    // A process that renamed itself (process.title) is still Node by its exe.
    assert.equal(chooseNodeProcess([proc(9, ['my-api'])]).chosen?.pid, 9);
    assert.equal(
      chooseNodeProcess([proc(3, ['node', '--watch', 'a.js']), proc(4, ['node', 'a.js'])]).chosen?.pid,
      4,
    );
  });
});

describe('k8s: inspector flags', () => {
  const flags = (argv: string[], nodeOptions = '') =>
    parseInspectorFlags(nodeOptionsOf(proc(1, argv, { nodeOptions })));

  it('defaults to an inactive inspector on 127.0.0.1:9229', () => {
    assert.deepEqual(flags(['node', 'server.js']), { active: false, host: '127.0.0.1', port: 9229 });
  });
  it('reads --inspect forms', () => {
    assert.deepEqual(flags(['node', '--inspect', 'a.js']), {
      active: true,
      host: '127.0.0.1',
      port: 9229,
      flag: '--inspect',
    });
    assert.equal(flags(['node', '--inspect=9339', 'a.js']).port, 9339);
    assert.deepEqual(flags(['node', '--inspect-brk=0.0.0.0:9230', 'a.js']), {
      active: true,
      host: '0.0.0.0',
      port: 9230,
      flag: '--inspect-brk=0.0.0.0:9230',
    });
    assert.equal(flags(['node', '--inspect=0.0.0.0', 'a.js']).host, '0.0.0.0');
    assert.equal(flags(['node', '--inspect=[::1]:9231', 'a.js']).port, 9231);
  });
  it('reads --inspect-port (SIGUSR1 port) without turning the inspector on', () => {
    assert.deepEqual(flags(['node', '--inspect-port=7000', 'a.js']), {
      active: false,
      host: '127.0.0.1',
      port: 7000,
      flag: '--inspect-port=7000',
    });
  });
  it('reads NODE_OPTIONS, and the command line wins over it', () => {
    assert.equal(flags(['node', 'a.js'], '--inspect-port=7001 --max-old-space-size=100').port, 7001);
    assert.equal(flags(['node', '--inspect-port=7002', 'a.js'], '--inspect-port=7001').port, 7002);
  });
  it("ignores the app's own arguments after the script, and values of -r", () => {
    assert.equal(flags(['node', 'a.js', '--inspect=1234']).active, false);
    assert.equal(flags(['node', '-r', 'dotenv/config', '--inspect=4444', 'a.js']).port, 4444);
  });
});

describe('k8s: kubectl failures', () => {
  const fail = (stderr: string, stdout = '') =>
    kubectlFailure({ stdout, stderr, exitCode: 1 }, 'list pods in namespace "dev"', { context: 'prod' });

  it('forbidden names user, verb, resource and namespace', () => {
    const error = fail(
      'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:ci:bot" cannot list resource "pods" in API group "" in the namespace "dev"\n',
    );
    assert.equal(error.code, 'k8s-forbidden');
    assert.match(error.message, /system:serviceaccount:ci:bot may not list pods/);
    assert.match(error.message, /RBAC permission to "list" the resource "pods" in namespace "dev"/);
    assert.match(error.message, /context "prod"/);
  });
  it('unreachable, no context, expired credentials, not found, anything else', () => {
    assert.equal(
      fail('Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout').code,
      'k8s-unreachable',
    );
    assert.equal(
      fail(
        'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
      ).code,
      'k8s-unreachable',
    );
    assert.equal(fail('error: context "prod" does not exist').code, 'k8s-no-context');
    assert.equal(fail('error: You must be logged in to the server (Unauthorized)').code, 'k8s-forbidden');
    assert.equal(fail('Error from server (NotFound): pods "x" not found').code, 'k8s-not-found');
    const other = fail('E1124 10:00:00.000000   123 foo.go:1] something odd\nerror: something odd\n');
    assert.equal(other.code, 'k8s-kubectl-failed');
    assert.match(other.message, /something odd/);
    assert.ok(!other.message.includes('foo.go'), 'klog prefixes are stripped');
  });
  it('recognises a binary missing from the image', () => {
    const runc =
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "kill": executable file not found in $PATH: unknown';
    assert.equal(
      binaryMissing({ stdout: runc, stderr: 'command terminated with exit code 126', exitCode: 126 }),
      true,
    );
    assert.equal(binaryMissing({ stdout: '', stderr: 'sh: 1: kill: not found', exitCode: 127 }), true);
    assert.equal(binaryMissing({ stdout: '', stderr: 'kill: (9) - No such process', exitCode: 1 }), false);
  });
});

describe('k8s: pods and references', () => {
  it('summarises a pod as kubectl shows it', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    const pod = summarizePod(
      {
        metadata: { name: 'api-0', namespace: 'dev', creationTimestamp: '2026-11-24T11:15:00Z' },
        spec: { containers: [{ name: 'app', image: 'node:20' }, { name: 'proxy' }] },
        status: {
          phase: 'Running',
          containerStatuses: [
            { name: 'app', ready: true, restartCount: 2, state: { running: {} } },
            {
              name: 'proxy',
              ready: false,
              restartCount: 5,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
            },
          ],
        },
      },
      now,
    );
    assert.equal(pod.status, 'CrashLoopBackOff');
    assert.equal(pod.ready, '1/2');
    assert.equal(pod.restarts, 7);
    assert.equal(pod.age, '45m');
    assert.deepEqual(
      pod.containers.map((c) => c.running),
      [true, false],
    );
    assert.deepEqual([formatAge(59), formatAge(3600), formatAge(3 * 86400)], ['59s', '60m', '3d']);
  });
  it('parses namespace/pod[/container] and rejects anything else', () => {
    assert.deepEqual(parsePodRef('dev/api-0'), { namespace: 'dev', pod: 'api-0' });
    assert.deepEqual(parsePodRef('dev/api-0/app'), { namespace: 'dev', pod: 'api-0', container: 'app' });
    for (const bad of ['api-0', 'dev/', 'a/b/c/d', 'Dev/api', 'dev/api;rm -rf'])
      assert.throws(() => parsePodRef(bad), /not a pod reference/);
  });

  it('refuses names kubectl would read as flags, and names the API server would refuse', () => {
    for (const bad of [
      'shop/--as=system:admin',
      '--server=https:x/api-0',
      'shop/api-0/--privileged',
      'shop/-api',
      'Shop/api-0',
      'shop/api_0',
      `shop/${'a'.repeat(254)}`,
      `${'a'.repeat(64)}/api-0`,
    ])
      assert.throws(() => parsePodRef(bad), /not a valid Kubernetes/, bad);
    assert.deepEqual(parsePodRef('kube-system/coredns-5d78c9869d-abcde.x/app'), {
      namespace: 'kube-system',
      pod: 'coredns-5d78c9869d-abcde.x',
      container: 'app',
    });
  });

  it('accepts the context names clouds write, refuses what kubectl would read as a flag', () => {
    for (const good of ['kind-kind', 'arn:aws:eks:eu-west-1:123:cluster/shop', 'gke_p_z_c', 'me@prod'])
      assert.equal(checkContext(good), good);
    for (const bad of ['--server=https://evil.example', '-x', '', 'a b', 'a\nb'])
      assert.throws(() => checkContext(bad), /not a valid Kubernetes context/, bad);
  });

  it('puts no name where kubectl reads flags: kubectl arguments carry --context=… and pod/<name>', () => {
    assert.deepEqual(targetFlags({ context: 'kind' }), ['--context=kind']);
    assert.throws(() => targetFlags({ context: '-v=9' }), /not a valid Kubernetes context/);
  });
});

describe('k8s test API server: SPDY/3 header codec', () => {
  it('has the SPDY/3 dictionary (Adler-32 0xe3c6a7c2)', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(adler32(SPDY3_DICTIONARY), 0xe3c6a7c2);
  });

  it('reads header blocks a real zlib writes across frames, and writes blocks zlib reads', async () => {
    // Writer side as Go's framer does it: one zlib stream with the dictionary, sync-flushed per block.
    const deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
    const flushed = (data: Buffer) =>
      new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        const onData = (c: Buffer) => chunks.push(c);
        deflate.on('data', onData);
        deflate.write(data);
        deflate.flush(zlibConstants.Z_SYNC_FLUSH, () => {
          deflate.off('data', onData);
          resolve(Buffer.concat(chunks));
        });
      });
    const codec = new HeaderCodec();
    const first = { streamtype: 'error', port: '9229', requestid: '0' };
    const second = { streamtype: 'data', port: '9229', requestid: '0' };
    assert.deepEqual(decodeHeaderBlock(codec.inflate(await flushed(encodeHeaderBlock(first)))), first);
    assert.deepEqual(decodeHeaderBlock(codec.inflate(await flushed(encodeHeaderBlock(second)))), second);
    deflate.close();

    // Our writer: stored blocks continue one zlib stream that a standard inflater reads.
    const reader = new HeaderCodec();
    const a = codec.deflate(encodeHeaderBlock({}));
    const b = codec.deflate(encodeHeaderBlock({ status: '200' }));
    assert.deepEqual(decodeHeaderBlock(reader.inflate(a)), {});
    assert.deepEqual(decodeHeaderBlock(reader.inflate(b)), { status: '200' });
  });
});
