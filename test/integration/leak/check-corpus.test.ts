// Runs the real CLI (dist/cli.js, built by the test command) on scenarios of the leak corpus, in
// two parallel waves: a heap leak and an off-heap Buffer leak, then the four controls. A leak is
// called live only after 50 s of sustained rise, so each run observes for 60 s, and each report's
// verdictHistory (what was shown while observing) is checked, not only the final verdict. The full
// corpus, with its longer budgets, is bench/accuracy.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateReport } from '../../../src/core/report/validate';
import type { ReportV1 } from '../../../src/core/types';

const repo = resolve(__dirname, '..', '..', '..');
const corpus = join(repo, 'test', 'fixtures', 'leaks');
const DURATION_SECONDS = 60;

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

/** Everything shown while observing: never `wrong`; when `expected` was shown, it stayed. */
function assertLiveHistory(report: ReportV1, expected: 'leak' | 'no-leak'): void {
  const history = report.verdictHistory ?? [];
  const shape = history.map((c) => `${c.verdict}@${c.atSeconds}`).join(' → ');
  assert.ok(history.length > 0, 'a verdict history');
  const wrong = expected === 'leak' ? 'no-leak' : 'leak';
  assert.ok(
    history.every((c) => c.verdict !== wrong),
    `${wrong} shown while observing: ${shape}`,
  );
  assert.equal(history[history.length - 1].verdict, report.verdict, shape);
  if (expected === 'leak') {
    assert.equal(history.filter((c) => c.verdict === 'leak').length, 1, `the leak call lasts: ${shape}`);
    assert.ok(history[0].verdict === 'inconclusive' && history[0].atSeconds < 5, shape);
  }
}

function lineOf(file: string, needle: string): number {
  return (
    readFileSync(join(corpus, file), 'utf8')
      .split('\n')
      .findIndex((line) => line.includes(needle)) + 1
  );
}

const controls = [
  'control-steady-churn.js',
  'control-bounded-lru.js',
  'control-startup-heap.js',
  'control-lazy-lookup.js',
];

describe('leak: heapscope check on the corpus (real processes)', function () {
  this.timeout(2 * (DURATION_SECONDS + 120) * 1000);
  const runs: Record<string, Run> = {};

  before(async function () {
    if (!existsSync(join(repo, 'dist', 'cli.js')))
      throw new Error('dist/cli.js missing: run `npm run build`');
    const leaks = ['module-array.js', 'buffers-offheap.js'];
    const leakResults = await Promise.all([
      ...leaks.map((name) => check(name)),
      // The same leak with the holder snapshots' heap limit below any Node heap.
      check('module-array.js', ['--holders-max-heap', '1']),
    ]);
    leaks.forEach((name, i) => (runs[name] = leakResults[i]));
    runs['module-array.js, limited'] = leakResults[leaks.length];
    const controlResults = await Promise.all(controls.map((name) => check(name)));
    controls.forEach((name, i) => (runs[name] = controlResults[i]));
  });

  it('module-level array: leak, exit code 1, recordAudit is suspect #1 at its line', () => {
    const run = runs['module-array.js'];
    assert.ok(run.report, run.stderr);
    assertWellFormed(run.report);
    assert.equal(run.report.verdict, 'leak', run.report.reason);
    assertLiveHistory(run.report, 'leak');
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

  for (const control of controls) {
    it(`${control} (control): no-leak at the end, and never a leak shown while observing`, () => {
      const run = runs[control];
      assert.ok(run.report, run.stderr);
      assertWellFormed(run.report);
      assertLiveHistory(run.report, 'no-leak');
      assert.equal(run.report.verdict, 'no-leak', run.report.reason);
      assert.equal(run.exitCode, 0);
    });
  }

  it('Buffers kept off-heap: leak found from external memory while the JS heap is flat', () => {
    const run = runs['buffers-offheap.js'];
    assert.ok(run.report, run.stderr);
    assertWellFormed(run.report);
    assert.equal(run.report.verdict, 'leak', run.report.reason);
    assertLiveHistory(run.report, 'leak');
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
    // The sampled figure counts the Buffers' JS wrappers; the backing stores are attributed to the
    // sampled Buffer site apart, and they account for the off-heap floor's rise. That site is the
    // top suspect, or second to the holder-only suspect of the same code when the holder
    // snapshots could not tie the holder to it (naming ranks a strong holder first; its own growth
    // is the snapshots' retained bytes, backing stores included, and gets no attribution).
    const site = run.report.suspects.find(
      (s) => s.kind === 'external' && s.url === top.url && s.offHeap !== undefined,
    );
    assert.ok(site && site.rank <= 2, JSON.stringify(run.report.suspects.slice(0, 3)));
    const attributed = site.offHeap?.attributedGrowthBytesPerMinute ?? 0;
    assert.ok(
      attributed > 0.5 * externalBytesPerMinute && attributed < 1.5 * externalBytesPerMinute,
      `attributed ${attributed} against external ${externalBytesPerMinute}`,
    );
    assert.ok(site.growthBytesPerMinute < attributed, 'sampled and attributed figures stay apart');
    const explained = run.report.explained;
    assert.ok((explained?.externalShare ?? 0) >= 0.8, JSON.stringify(explained));
    assert.ok((explained?.externalSampledShare ?? 1) < 0.2, JSON.stringify(explained));
    assert.match(run.stderr, /suspects explain .*% of off-heap \(attributed backing stores/);
  });
});
