// The launcher's second process (src/cli/launch.ts) on the real command: the same output and exit
// code as one process, the child started with glibc's huge-page tunable, and nothing left behind
// when the launcher is stopped or killed.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUNDLED_CLI, runCli } from '../cliRunner';
import { tempDir } from '../../unit/heapsnapshot/helpers';

interface Probe {
  pid: number;
  ppid: number;
  tunables?: string;
}

/** Running (a zombie left for a parent that does not reap counts as ended). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Checks every 100 ms, at most `ms`: a process that is not our child gives no exit event. */
async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('heapscope launcher: snapshot analyses with huge pages', function () {
  this.timeout(60_000);
  const tmp = tempDir('heapscope-hugepages-');
  const snapshot = path.join(tmp.dir, 'small.heapsnapshot');
  // Stands in for a long analysis in the relaunched child: says who it is and stays.
  const probe = path.join(tmp.dir, 'probe.js');

  before(() => {
    execFileSync(process.execPath, ['-e', `require('v8').writeHeapSnapshot(${JSON.stringify(snapshot)})`]);
    writeFileSync(
      probe,
      `if (process.env.HEAPSCOPE_RELAUNCHED) {
         process.stderr.write('probe ' + JSON.stringify({ pid: process.pid, ppid: process.ppid, tunables: process.env.GLIBC_TUNABLES }) + '\\n');
         setInterval(() => {}, 1000);
       }`,
    );
  });
  // Whatever a failed test left running.
  const started: number[] = [];
  afterEach(() => {
    for (const pid of started.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  after(() => tmp.dispose());

  it('prints the same summary and exit codes as one process', async () => {
    const args = ['summary', snapshot, '--top', '0', '--json', '-', '-q'];
    const relaunched = await runCli(args, { env: { HEAPSCOPE_HUGE_PAGES: '1' } });
    const here = await runCli(args, { env: { HEAPSCOPE_HUGE_PAGES: '0' } });
    assert.equal(relaunched.code, 0, relaunched.stderr);
    assert.equal(here.code, 0, here.stderr);
    const constructors = (out: string): unknown =>
      (JSON.parse(out) as { constructors: unknown }).constructors;
    assert.deepEqual(constructors(relaunched.stdout), constructors(here.stdout));

    const bad = path.join(tmp.dir, 'bad.heapsnapshot');
    writeFileSync(bad, '{"snapshot": 12}');
    const badRelaunched = await runCli(['summary', bad], { env: { HEAPSCOPE_HUGE_PAGES: '1' } });
    const badHere = await runCli(['summary', bad], { env: { HEAPSCOPE_HUGE_PAGES: '0' } });
    assert.equal(badRelaunched.code, 2);
    assert.equal(badRelaunched.code, badHere.code);
    assert.equal(badRelaunched.stderr, badHere.stderr);
    assert.match(badRelaunched.stderr, /heapscope: /);
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`starts the child with the tunable, and ${signal} to the launcher ends it`, async () => {
      const launcher = spawn(process.execPath, [BUNDLED_CLI, 'summary', snapshot, '-q'], {
        env: { ...process.env, HEAPSCOPE_HUGE_PAGES: '1', NODE_OPTIONS: `--require ${probe}` },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      started.push(launcher.pid!);
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        launcher.on('exit', (_code, s) => resolve(s)),
      );
      const child = await new Promise<Probe>((resolve, reject) => {
        let text = '';
        launcher.stderr!.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const match = /probe (\{.*\})/.exec(text);
          if (match) resolve(JSON.parse(match[1]) as Probe);
        });
        launcher.on('exit', () => reject(new Error(`launcher ended without a child: ${text}`)));
      });
      started.push(child.pid);
      assert.equal(child.ppid, launcher.pid);
      assert.equal(child.tunables, 'glibc.malloc.hugetlb=1');
      assert.ok(alive(child.pid));
      launcher.kill(signal);
      assert.equal(await exited, signal);
      // SIGTERM is passed on and the launcher ends after its child; after SIGKILL the child notices
      // that its launcher is gone (it checks every second).
      if (signal === 'SIGTERM') assert.ok(!alive(child.pid), 'the child ended before the launcher');
      else await until(() => !alive(child.pid), 5_000, `child ${child.pid} to end`);
    });
  }
});
