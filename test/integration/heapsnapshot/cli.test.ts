// The CLI faces over real processes and files: capture over the inspector, then summary, diff and
// retainers with --json, and bad input.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { openCdpClient } from '../../../src/core/inspector';
import { captureHeapSnapshot, parseSnapshotFile } from '../../../src/core/heapsnapshot';
import { fixtureLine, runLeaker, tempDir } from '../../unit/heapsnapshot/helpers';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A Node process with the inspector on 127.0.0.1 and a free port, holding 2000 `Kept` objects. */
async function startTarget(): Promise<{ child: ChildProcess; wsUrl: string }> {
  const child = spawn(
    process.execPath,
    [
      '--inspect=127.0.0.1:0',
      '-e',
      'class Kept { constructor(i) { this.i = i; } } globalThis.kept = Array.from({ length: 2000 }, (_, i) => new Kept(i)); setInterval(() => {}, 1000);',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const wsUrl = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no inspector URL: ${text}`)), 15_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
  });
  return { child, wsUrl };
}

describe('heapscope snapshot commands', function () {
  this.timeout(120_000);
  const tmp = tempDir();
  let files: string[] = [];
  before(async () => {
    if (!existsSync(CLI)) await run('npm', ['run', '-s', 'build'], { cwd: ROOT });
    files = runLeaker(tmp.dir, 'array', 200, 50);
  });
  after(() => tmp.dispose());

  it('captures a snapshot over the inspector, streamed to disk, with progress', async () => {
    const { child, wsUrl } = await startTarget();
    try {
      const port = new URL(wsUrl).port;
      const out = path.join(tmp.dir, 'live.heapsnapshot');
      const result = await cli(['snapshot', '--attach', port, '--out', out, '--gc', '--json', '-']);
      assert.equal(result.code, 0, result.stderr);
      const json = JSON.parse(result.stdout) as { file: string; bytes: number; pauseMs: number };
      assert.equal(json.file, out);
      assert.match(result.stderr, /serialising 100%/);
      const raw = await parseSnapshotFile(out);
      assert.equal(json.bytes, raw.fileBytes);
      const summary = await cli(['summary', out, '--top', '0', '--json', '-', '-q']);
      const kept = (
        JSON.parse(summary.stdout) as { constructors: Array<{ name: string; count: number }> }
      ).constructors.find((c) => c.name === 'Kept');
      assert.equal(kept?.count, 2000);
      assert.ok(!existsSync(`${out}.partial`));
    } finally {
      child.kill();
    }
  });

  it('cancels a capture and leaves no file behind', async () => {
    const { child, wsUrl } = await startTarget();
    const client = await openCdpClient({ target: wsUrl });
    try {
      const out = path.join(tmp.dir, 'cancelled.heapsnapshot');
      const controller = new AbortController();
      const capture = captureHeapSnapshot(client, out, {
        signal: controller.signal,
        onProgress: () => controller.abort(),
      });
      await assert.rejects(capture, (error: Error & { code?: string }) => error.code === 'cancelled');
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(!readdirSync(tmp.dir).some((f) => f.startsWith('cancelled')));
    } finally {
      await client.close();
      child.kill();
    }
  });

  it('summary, diff and retainers print JSON', async () => {
    const summary = JSON.parse(
      (await cli(['summary', files[2], '--top', '5', '--json', '-', '-q'])).stdout,
    ) as { constructors: unknown[]; nodeCount: number };
    assert.equal(summary.constructors.length, 5);
    assert.ok(summary.nodeCount > 1000);
    // --largest: the retainer path of the biggest program constructors' largest instance.
    const largest = await cli(['summary', files[2], '--top', '3', '--largest', '20', '-q']);
    assert.equal(largest.code, 0, largest.stderr);
    assert.match(
      largest.stdout,
      new RegExp(
        `^Largest LeakyRecord @\\d+: retained \\d+ B \\(defined at \\S*leaker\\.js:${fixtureLine('constructor(i)')}:\\d+\\)$`,
        'm',
      ),
    );
    assert.match(largest.stdout, /^    system \/ Context @\d+ \.leakyRecords \(closure variable\)$/m);
    const diff = JSON.parse((await cli(['diff', ...files, '--json', '-', '-q'])).stdout) as {
      diff: { constructors: Array<{ name: string; newCount: number }> };
      allocatedBetween: { constructors: Array<{ name: string; count: number }> };
    };
    assert.equal(diff.diff.constructors.find((c) => c.name === 'LeakyRecord')?.newCount, 50);
    assert.equal('allocationSites' in diff, false, 'no allocation stacks without allocation tracking');
    assert.equal(diff.allocatedBetween.constructors.find((c) => c.name === 'LeakyRecord')?.count, 200);
    // --holders: what keeps them, named with its declaration line (text output, run from the fixture's folder).
    const held = await cli(['diff', ...files, '--holders', '3', '-q']);
    assert.equal(held.code, 0, held.stderr);
    assert.match(
      held.stdout,
      new RegExp(
        `^  LeakyRecord ×200 \\([\\d.]+ KiB\\): held by Array leakyRecords at \\S*leaker\\.js:${fixtureLine('const leakyRecords = [];')}:\\d+$`,
        'm',
      ),
    );
    assert.match(
      held.stdout,
      /^What holds them \(new since \S+a\.heapsnapshot, present in \S+b\.heapsnapshot, alive in \S+c\.heapsnapshot\):$/m,
    );
    const jsonFile = path.join(tmp.dir, 'retainers.json');
    const text = await cli(['retainers', files[2], '--constructor', 'LeakyRecord', '--json', jsonFile, '-q']);
    assert.equal(text.code, 0, text.stderr);
    const retainers = JSON.parse(readFileSync(jsonFile, 'utf8')) as {
      matched: number;
      objects: Array<{ paths: Array<{ text: string[] }> }>;
    };
    assert.equal(retainers.matched, 250);
    assert.match(retainers.objects[0].paths[0].text.join('\n'), /leakyRecords/);
    const human = await cli(['retainers', files[2], '--constructor', 'LeakyRecord', '--objects', '1', '-q']);
    assert.match(human.stdout, /path 1:/);
  });

  it('diff and retainers name the allocating function of snapshots taken with allocation tracking', async () => {
    const tmp = tempDir();
    try {
      const files = runLeaker(tmp.dir, 'array', 200, 50, ['--track-heap-objects']);
      const leakLine = fixtureLine('function leak(from, count)');
      const diff = JSON.parse((await cli(['diff', ...files, '--json', '-', '-q'])).stdout) as {
        allocationSites: Array<{
          count: number;
          constructors: Array<{ name: string; count: number }>;
          frames: Array<{ functionName: string; scriptName: string; line: number }>;
        }>;
      };
      // The three-snapshot set: allocated between a and b, alive in c. Exactly the 200 records.
      const site = diff.allocationSites.find((s) => s.constructors.some((c) => c.name === 'LeakyRecord'));
      assert.ok(site, `a site allocating LeakyRecord: ${JSON.stringify(diff.allocationSites)}`);
      assert.equal(site.constructors.find((c) => c.name === 'LeakyRecord')?.count, 200);
      assert.equal(site.frames[0].functionName, 'leak');
      assert.equal(site.frames[0].line, leakLine);
      assert.match(site.frames[0].scriptName, /leaker\.js$/);
      // Their labels come from the constructor, called from leak.
      const labels = diff.allocationSites.find((s) => s.frames[0]?.functionName === 'LeakyRecord');
      assert.deepEqual(
        labels?.frames.slice(0, 2).map((f) => f.functionName),
        ['LeakyRecord', 'leak'],
      );
      const text = await cli(['diff', ...files, '-q']);
      assert.match(text.stdout, /^Where they were allocated \(allocation stacks/m);
      assert.match(
        text.stdout,
        new RegExp(`^      in leak, declared at \\S*leaker\\.js:${leakLine}:\\d+$`, 'm'),
      );
      const retainers = JSON.parse(
        (
          await cli([
            'retainers',
            files[2],
            '--constructor',
            'LeakyRecord',
            '--objects',
            '1',
            '--json',
            '-',
            '-q',
          ])
        ).stdout,
      ) as { objects: Array<{ allocationStack?: Array<{ functionName: string }> }> };
      assert.equal(retainers.objects[0].allocationStack?.[0].functionName, 'leak');
    } finally {
      tmp.dispose();
    }
  });

  it('reports bad files with exit code 2 and a message naming the problem', async () => {
    const bad = path.join(tmp.dir, 'bad.heapsnapshot');
    writeFileSync(bad, 'not a snapshot');
    const result = await cli(['summary', bad, '-q']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Not a valid heap snapshot: expected '\{'.*at byte 0/);
    const truncated = path.join(tmp.dir, 'truncated.heapsnapshot');
    writeFileSync(truncated, readFileSync(files[0]).subarray(0, 2_000_000));
    const cut = await cli(['summary', truncated, '-q']);
    assert.equal(cut.code, 2);
    assert.match(cut.stderr, /truncated/);
    const usage = await cli(['retainers', files[0]]);
    assert.equal(usage.code, 2);
  });
});
