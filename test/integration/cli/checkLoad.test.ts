// `heapscope check --load`: a service that leaks only when called, observed while heapscope runs the
// load script against it (dist/cli.js in a subprocess, as a CI job runs it).
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportV1 } from '../../../src/core/types';
import { BUNDLED_CLI, runCli } from '../cliRunner';
import { freePort } from '../inspector/targets';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'load');

describe('heapscope check --load (dist/cli.js)', function () {
  this.timeout(120_000);
  before(function () {
    if (!existsSync(BUNDLED_CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
  });

  it('runs the load script against the launched service for the duration, and finds its leak', async () => {
    const port = await freePort();
    const result = await runCli(
      [
        'check',
        '--duration',
        '30',
        '--no-holders',
        '--json',
        '-',
        '--load',
        join(FIXTURES, 'load.js'),
        '--',
        process.execPath,
        join(FIXTURES, 'service.js'),
      ],
      { env: { PORT: String(port) } },
    );
    const calls = Number(/heapscope: load script: (\d+) call\(s\)\n/.exec(result.stderr)?.[1]);
    assert.ok(calls > 100, `load calls: ${calls}\n${result.stderr}`);
    assert.doesNotMatch(result.stderr, /MaxListenersExceeded|failed \(first/);
    const report = JSON.parse(result.stdout) as ReportV1;
    // Idle, the service does not grow: a leak seen here was made by the load script's requests.
    assert.equal(report.suspects[0]?.functionName, 'remember', result.stderr);
    assert.match(report.suspects[0]!.url, /fixtures\/load\/service\.js$/);
    assert.equal(result.code, report.verdict === 'leak' ? 1 : 3, result.stderr);
    assert.notEqual(report.verdict, 'no-leak');
  });

  it('exits 2 before launching anything when the script is missing or exports no function', async () => {
    const missing = await runCli([
      'check',
      '--load',
      'nope.js',
      '--',
      process.execPath,
      join(FIXTURES, 'service.js'),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--load: no file \S+nope\.js\./);
    assert.doesNotMatch(missing.stderr, /connecting/);
    const notFunction = await runCli([
      'check',
      '--load',
      join(FIXTURES, 'not-a-function.js'),
      '--',
      process.execPath,
      join(FIXTURES, 'service.js'),
    ]);
    assert.equal(notFunction.code, 2);
    assert.match(notFunction.stderr, /not-a-function\.js must export an async function/);
  });

  it('counts the calls that fail and says why (a service that is not listening)', async () => {
    const closed = await freePort();
    const result = await runCli(
      [
        'check',
        '--duration',
        '3',
        '--no-holders',
        '--load',
        join(FIXTURES, 'load.js'),
        '--',
        process.execPath,
        join(FIXTURES, 'idle-service.js'),
      ],
      { env: { PORT: String(closed) } },
    );
    assert.match(result.stderr, /heapscope: load script: \d+ call\(s\), \d+ failed \(first: fetch failed\)/);
    assert.equal(result.code, 3, result.stderr);
  });
});
