// Isolates and process trees on real Node processes, through the real CLI (dist/cli.js): a leak
// inside a worker thread is found in that worker and named there, with one line per isolate.
// Process trees (npm run, cluster, node --watch) are in processTrees.test.ts.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { validateReport } from '../../../src/core/report/validate';
import type { ReportV1 } from '../../../src/core/types';

const repo = resolve(__dirname, '..', '..', '..');
const corpus = join(repo, 'test', 'fixtures', 'leaks');

interface Run {
  report: ReportV1;
  stderr: string;
}

function check(durationSeconds: number, command: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        join(repo, 'dist', 'cli.js'),
        'check',
        '--json',
        '-',
        '--duration',
        String(durationSeconds),
        '--',
        ...command,
      ],
      { cwd: corpus, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), (durationSeconds + 90) * 1000);
    child.on('close', () => {
      clearTimeout(guard);
      try {
        done({ report: JSON.parse(stdout) as ReportV1, stderr });
      } catch {
        fail(new Error(`no JSON report: ${stderr.split('\n').slice(-5).join(' | ')}`));
      }
    });
  });
}

function shape(report: ReportV1): string {
  return (report.verdictHistory ?? []).map((c) => `${c.verdict}@${c.atSeconds}`).join(' → ');
}

describe('worker isolates (real processes, real CLI)', function () {
  this.timeout(200_000);
  let worker: Run;

  before(async () => {
    worker = await check(60, ['node', 'worker-thread-leak.js']);
  });

  it('a leak inside a worker thread: leak, in that worker, its function #1', () => {
    const { report } = worker;
    assert.deepEqual(validateReport(report), []);
    assert.equal(report.verdict, 'leak', `${report.reason} ${shape(report)}`);
    assert.ok(!(report.verdictHistory ?? []).some((c) => c.verdict === 'no-leak'), shape(report));
    const isolates = report.isolates ?? [];
    assert.deepEqual(
      isolates.map((i) => [i.kind, i.verdict]),
      [
        ['main', 'no-leak'],
        ['worker', 'leak'],
      ],
      JSON.stringify(isolates.map((i) => [i.name, i.verdict, i.reason])),
    );
    assert.match(isolates[1].name, /report-builder/);
    assert.match(isolates[1].url ?? '', /worker-thread-leak\.js$/);
    assert.match(report.reason, /^In the worker .*report-builder/);
    const first = report.suspects[0];
    assert.equal(first?.functionName, 'buildReport', JSON.stringify(report.suspects.slice(0, 3)));
    assert.equal(first.isolate, isolates[1].id);
  });

  it('the CLI shows one line per isolate', () => {
    assert.match(worker.stderr, /^ {2}main thread: no leak, heap floor [-+]/m);
    assert.match(
      worker.stderr,
      /^ {2}worker .*report-builder \(worker-thread-leak\.js\): LEAK, heap floor \+/m,
    );
  });
});
