// The `heapscope/testing` examples, run by their own test runner as a user runs them (node:test, mocha,
// vitest, jest; ESM and CommonJS): each must pass on the bounded order service (a full cache that
// evicts, a buffer pool) and fail on the leaking one, naming the leaking function with file:line.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const EXAMPLES = join(ROOT, 'examples', 'testing');
const bin = (file: string) => join(ROOT, 'node_modules', file);

interface Run {
  code: number | null;
  output: string;
}

function run(args: string[], leak: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        HEAPSCOPE_EXAMPLE_LEAK: leak ? '1' : '0',
        FORCE_COLOR: '0',
        NO_COLOR: '1',
        CI: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const runners: Array<{ name: string; args: string[] }> = [
  { name: 'node:test (ESM)', args: ['--test', join(EXAMPLES, 'node-test.test.mjs')] },
  {
    name: 'mocha (CommonJS)',
    args: [bin('mocha/bin/mocha.js'), '--no-config', join(EXAMPLES, 'mocha.test.cjs')],
  },
  {
    name: 'vitest (ESM)',
    args: [bin('vitest/vitest.mjs'), 'run', '--config', join(EXAMPLES, 'vitest.config.mjs')],
  },
  { name: 'jest (CommonJS)', args: [bin('jest/bin/jest.js'), '--config', join(EXAMPLES, 'jest.config.cjs')] },
];

describe('heapscope/testing examples under each test runner', function () {
  this.timeout(120_000);
  before(function () {
    if (!existsSync(join(ROOT, 'dist', 'testing.js')))
      throw new Error('dist/testing.js is missing: run `npm run build` first.');
  });

  for (const runner of runners) {
    it(`${runner.name}: passes on bounded memory, fails on the leak with its file:line`, async () => {
      const bounded = await run(runner.args, false);
      assert.equal(bounded.code, 0, bounded.output);
      const leaking = await run(runner.args, true);
      assert.notEqual(leaking.code, 0, leaking.output);
      assert.match(leaking.output, /Leak: [\d.]+ (B|KiB) retained per iteration \(tolerance 256 B\)/);
      // The leak is the receipt text kept by the audit log: its function comes first.
      assert.match(
        leaking.output,
        /growing allocation sites \(sampled\):\s+receiptText \(\S*examples\/testing\/orders\.cjs:\d+:\d+\): \+[\d.]+ (B|KiB) per iteration/,
      );
    });
  }
});
