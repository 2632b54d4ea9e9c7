// Runs the real CLI (dist/cli.js, built by the test command) on three fast scenarios of the leak
// corpus, in parallel: a heap leak, a control that must not read as a leak, and an off-heap Buffer
// leak. The full corpus, with its longer budgets, is bench/accuracy.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateReport } from '../../../src/core/report/validate';
import type { ReportV1 } from '../../../src/core/types';

const repo = resolve(__dirname, '..', '..', '..');
const corpus = join(repo, 'test', 'fixtures', 'leaks');
const DURATION_SECONDS = 30;

interface Run {
  exitCode: number | null;
  report?: ReportV1;
  stderr: string;
}

function check(fixture: string, options: string[] = []): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [
        join(repo, 'dist', 'cli.js'),
        'check',
        '--json',
        '-',
        '--duration',
        String(DURATION_SECONDS),
        ...options,
        '--',
        'node',
        fixture,
      ],
      { cwd: corpus, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), (DURATION_SECONDS + 90) * 1000);
    child.on('close', (exitCode) => {
      clearTimeout(guard);
      let report: ReportV1 | undefined;
      try {
        report = JSON.parse(stdout) as ReportV1;
      } catch {
        report = undefined;
      }
      done({ exitCode, report, stderr });
    });
  });
}

/** The report is well-formed, and a suspect's line inside its function (when given) is below its start. */
function assertWellFormed(report: ReportV1): void {
  assert.deepEqual(validateReport(report), []);
  for (const s of report.suspects)
    if (s.allocation)
      assert.ok(s.allocation.line >= s.line, `${s.functionName}:${s.line} allocates at ${s.allocation.line}`);
}

function lineOf(file: string, needle: string): number {
  return (
    readFileSync(join(corpus, file), 'utf8')
      .split('\n')
      .findIndex((line) => line.includes(needle)) + 1
  );
}

describe('leak: heapscope check on the corpus (real processes)', function () {
  this.timeout((DURATION_SECONDS + 120) * 1000);
  const runs: Record<string, Run> = {};

  before(async function () {
    if (!existsSync(join(repo, 'dist', 'cli.js')))
      throw new Error('dist/cli.js missing: run `npm run build`');
    const names = ['module-array.js', 'control-steady-churn.js', 'buffers-offheap.js'];
    const results = await Promise.all([
      ...names.map((name) => check(name)),
      // The same leak with the holder snapshots' heap limit below any Node heap.
      check('module-array.js', ['--holders-max-heap', '1']),
    ]);
    names.forEach((name, i) => (runs[name] = results[i]));
    runs['module-array.js, limited'] = results[names.length];
  });

  it('module-level array: leak, exit code 1, recordAudit is suspect #1 at its line', () => {
    const run = runs['module-array.js'];
    assert.ok(run.report, run.stderr);
    assertWellFormed(run.report);
    assert.equal(run.report.verdict, 'leak', run.report.reason);
    assert.equal(run.exitCode, 1);
    assert.ok(
      run.report.growth.heapBytesPerMinute > 2 * 1024 * 1024,
      `${run.report.growth.heapBytesPerMinute}`,
    );
    const top = run.report.suspects[0];
    assert.ok(top, 'a suspect');
    assert.equal(top.functionName, 'recordAudit');
    assert.equal(top.url, join(corpus, 'module-array.js'));
    assert.equal(top.line, lineOf('module-array.js', 'function recordAudit'));
    assert.ok(top.growthBytesPerMinute > 0 && top.liveBytes > 0);
    assert.ok(top.stack.length >= 1 && top.stack.every((f) => !f.url.startsWith('node:')));
    // The holder snapshots name the array and its line; each pause is in the report.
    assert.equal(top.holder?.name, 'auditTrail');
    assert.equal(top.holder?.location?.line, lineOf('module-array.js', 'const auditTrail'));
    assert.equal(run.report.snapshots?.length, 3);
    assert.equal(run.report.holdersSkipped, undefined);
  });

  it('skips the holder snapshots above --holders-max-heap, and says so', () => {
    const run = runs['module-array.js, limited'];
    assert.ok(run.report, run.stderr);
    assertWellFormed(run.report);
    assert.equal(run.report.verdict, 'leak', run.report.reason);
    assert.match(
      run.stderr,
      /^heapscope: holder snapshots skipped: the JS heap holds [\d.]+ MiB, over the 1\.0 MiB limit: each of the three snapshots would stop the target's JavaScript for about \d+ s and write more than the heap to disk\. Raise the limit to take them \(heapscope check --holders-max-heap <MiB>; in VS Code, heapscope\.holders\.maxHeapBytes\)\.$/m,
    );
    // In the report (and its summary) too: --quiet hides the log line, not these.
    const skipped = run.report.holdersSkipped;
    assert.equal(skipped?.limitBytes, 1024 * 1024);
    assert.ok(skipped.heapUsedBytes > skipped.limitBytes, `${skipped.heapUsedBytes}`);
    assert.match(
      run.stderr,
      /^ {2}holders not named: the JS heap holds [\d.]+ MiB, over the 1\.0 MiB limit/m,
    );
    assert.doesNotMatch(run.stderr, /taking heap snapshots/);
    assert.equal(run.report.snapshots, undefined);
    assert.equal(run.report.suspects[0]?.functionName, 'recordAudit');
    assert.equal(run.report.suspects[0]?.holder, undefined);
  });

  it('steady churn (control): no-leak, exit code 0', () => {
    const run = runs['control-steady-churn.js'];
    assert.ok(run.report, run.stderr);
    assertWellFormed(run.report);
    assert.equal(run.report.verdict, 'no-leak', run.report.reason);
    assert.equal(run.exitCode, 0);
  });

  it('Buffers kept off-heap: leak found from external memory while the JS heap is flat', () => {
    const run = runs['buffers-offheap.js'];
    assert.ok(run.report, run.stderr);
    assertWellFormed(run.report);
    assert.equal(run.report.verdict, 'leak', run.report.reason);
    const { heapBytesPerMinute, externalBytesPerMinute } = run.report.growth;
    assert.ok(externalBytesPerMinute > 10 * 1024 * 1024, `external ${externalBytesPerMinute}`);
    assert.ok(externalBytesPerMinute > 10 * heapBytesPerMinute, `heap ${heapBytesPerMinute}`);
    const top = run.report.suspects[0];
    assert.ok(top, 'a suspect');
    assert.equal(top.kind, 'external');
    assert.equal(top.url, join(corpus, 'buffers-offheap.js'));
    assert.ok(
      top.line === lineOf('buffers-offheap.js', 'function keepForReplay') || top.holder?.name === 'replayLog',
      `${top.functionName}:${top.line}`,
    );
  });
});
