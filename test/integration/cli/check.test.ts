// `heapscope check` as a user runs it: dist/cli.js in a subprocess (built by the test command), with
// every kind of bad target and a short run that must end in a valid report and the right exit code.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateReport } from '../../../src/core/report';
import type { ReportV1 } from '../../../src/core/types';
import { BUNDLED_CLI, runCli as runCliProcess } from '../cliRunner';
import { fixture, freePort, startNode, type Started } from '../inspector/targets';

const runCli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliProcess(args, { env });

describe('heapscope check (dist/cli.js)', function () {
  this.timeout(90_000);
  let dir: string;
  const started: Started[] = [];
  before(function () {
    if (!existsSync(BUNDLED_CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heapscope-cli-'));
  });
  afterEach(async () => {
    for (const s of started.splice(0)) await s.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 with a usage message when no target or two targets are given', async () => {
    const none = await runCli(['check']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Say what to observe/);
    const two = await runCli(['check', '--attach', '9229', '--pid', '1']);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /only one target/);
    const bad = await runCli(['check', '--duration', 'abc', '--attach', '9229']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--duration needs a positive number/);
  });

  it('exits 2 when nothing listens, and when the port is not a Node inspector', async () => {
    const port = await freePort();
    const nothing = await runCli(['check', '--attach', String(port), '--duration', '2']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, new RegExp(`Nothing answers at 127\\.0\\.0\\.1:${port}`));
    const http = startNode([fixture('not-inspector.js')]);
    started.push(http);
    const httpPort = (await http.waitFor(/port (\d+)/))[1];
    const notNode = await runCli(['check', '--attach', `127.0.0.1:${httpPort}`, '--duration', '2']);
    assert.equal(notNode.code, 2);
    assert.match(notNode.stderr, /not a Node inspector/);
  });

  it('exits 2 when the command exits at start-up or is not a Node program', async () => {
    const early = await runCli([
      'check',
      '--duration',
      '2',
      '--',
      process.execPath,
      fixture('exit-early.js'),
    ]);
    assert.equal(early.code, 2);
    assert.match(early.stderr, /exited at start-up \(exit code 3\)/);
    const missing = await runCli(['check', '--duration', '2', '--', '/nonexistent/heapscope-cmd']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Command not found/);
  });

  it('exits 2 when the target exits mid-run, and still writes the report of what was seen', async () => {
    const file = join(dir, 'report.json');
    const result = await runCli(
      [
        'check',
        '--duration',
        '30',
        '--json',
        file,
        '--metrics-interval',
        '250',
        '--',
        process.execPath,
        fixture('exit-later.js'),
      ],
      { EXIT_AFTER_MS: '2500' },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /exited before the end of the observation/);
    const report = JSON.parse(await readFile(file, 'utf8')) as ReportV1;
    assert.deepEqual(validateReport(report), []);
    assert.ok(report.targetExited, 'targetExited filled');
    assert.equal(report.targetExited.exitCode, 0);
    assert.ok(report.samples >= 3, `samples: ${report.samples}`);
    assert.ok(report.durationSeconds < 15);
  });

  it('observes a launched process for --duration, prints a summary, writes a valid report and records', async () => {
    const record = join(dir, 'rec');
    const result = await runCli([
      'check',
      '--duration',
      '4',
      '--json',
      '-',
      '--record',
      record,
      '--metrics-interval',
      '250',
      '--no-holders',
      '--',
      process.execPath,
      fixture('idle.js'),
    ]);
    // Four seconds cannot support a verdict either way.
    assert.equal(result.code, 3, result.stderr);
    const report = JSON.parse(result.stdout) as ReportV1;
    assert.deepEqual(validateReport(report), []);
    assert.equal(report.verdict, 'inconclusive');
    assert.equal(report.target.kind, 'launch');
    assert.ok(report.samples >= 8, `samples: ${report.samples}`);
    assert.match(result.stderr, /heapscope: inconclusive after/);
    assert.match(result.stderr, /observing \d+\/4 s/);
    assert.ok(existsSync(join(record, 'events.jsonl')) && existsSync(join(record, 'report.json')));
  });
});
