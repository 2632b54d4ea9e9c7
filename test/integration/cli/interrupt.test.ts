// Ctrl-C in `heapscope check`, as a user presses it (SIGINT to dist/cli.js): the first stops like
// the end of the run and writes the report of what was seen; a second one exits at once (130) and
// takes a launched target down with it.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateReport } from '../../../src/core/report';
import type { ReportV1 } from '../../../src/core/types';
import { BUNDLED_CLI } from '../cliRunner';
import { fixture } from '../inspector/targets';

interface RunningCli {
  child: ChildProcess;
  marker: string;
  waitFor(pattern: RegExp): Promise<void>;
  exited: Promise<{ code: number | null; stderr: string }>;
}

function startCheck(args: string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const marker = `--heapscope-test-${randomUUID()}`;
  const child = spawn(
    process.execPath,
    [BUNDLED_CLI, 'check', ...args, '--', process.execPath, fixture('grow.js'), marker],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) w();
  });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return {
    child,
    marker,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(stderr)) {
            waiters.splice(waiters.indexOf(check), 1);
            resolve();
          }
        };
        waiters.push(check);
        void exited.then(() => reject(new Error(`exited before ${pattern}: ${stderr}`)));
        check();
      }),
  };
}

/** The target's pids (the CLI's own command line carries the marker too, after `--`). */
async function pidsWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker) && !cmdline.includes(BUNDLED_CLI)) found.push(Number(entry));
  }
  return found;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

describe('heapscope check and Ctrl-C (dist/cli.js)', function () {
  this.timeout(60_000);
  let dir: string;
  const running: RunningCli[] = [];
  before(function () {
    if (!existsSync(BUNDLED_CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heapscope-int-'));
  });
  afterEach(async () => {
    for (const r of running.splice(0)) {
      r.child.kill('SIGKILL');
      for (const pid of await pidsWith(r.marker)) process.kill(pid, 'SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('the first Ctrl-C stops, reports what was seen and stops the target', async () => {
    const file = join(dir, 'report.json');
    const run = startCheck(['--duration', '120', '--metrics-interval', '250', '--json', file]);
    running.push(run);
    await run.waitFor(/observing .* for 120 s/);
    // The first progress line comes after a second of readings.
    await run.waitFor(/observing \d+\/120 s/);
    run.child.kill('SIGINT');
    const { code, stderr } = await run.exited;
    assert.ok(code === 3 || code === 1 || code === 0, `a verdict exit code, not ${code}: ${stderr}`);
    assert.match(stderr, /stopping \(SIGINT\); press Ctrl-C again to exit at once/);
    const report = JSON.parse(await readFile(file, 'utf8')) as ReportV1;
    assert.deepEqual(validateReport(report), []);
    assert.ok(report.samples > 0);
    assert.ok(await until(async () => (await pidsWith(run.marker)).length === 0, 5000), 'target gone');
  });

  it('a second Ctrl-C exits at once with 130 and kills the launched target', async () => {
    const file = join(dir, 'report.json');
    const run = startCheck(['--duration', '120', '--metrics-interval', '250', '--json', file]);
    running.push(run);
    await run.waitFor(/observing .* for 120 s/);
    // A frozen target makes the first stop take its bounded time: the second Ctrl-C lands inside it.
    const [pid] = await pidsWith(run.marker);
    process.kill(pid, 'SIGSTOP');
    run.child.kill('SIGINT');
    await run.waitFor(/press Ctrl-C again/);
    run.child.kill('SIGINT');
    const { code, stderr } = await run.exited;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /exiting at once/);
    assert.ok(!existsSync(file), 'no report: the user chose to exit at once');
    assert.ok(await until(async () => (await pidsWith(run.marker)).length === 0, 5000), 'target gone');
  });
});
