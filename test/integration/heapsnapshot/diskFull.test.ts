// A heap snapshot that runs out of room (a file-size limit stands in for a full disk: the write
// fails with EFBIG as it would with ENOSPC) is its own clear error, not "target lost", and the
// partial file is removed. Runs the bundled CLI under `ulimit -f`, as a user's shell would.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_CLI } from '../cliRunner';
import { fixture, startNode, type Started } from '../inspector/targets';

function runLimited(limitKiB: number, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const quoted = [process.execPath, BUNDLED_CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`);
    const child = spawn('bash', ['-c', `ulimit -f ${limitKiB} && exec ${quoted.join(' ')}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('heap snapshot on a full disk (bundled CLI, file-size limit)', function () {
  this.timeout(60_000);
  let dir: string;
  let target: Started | undefined;
  before(function () {
    if (!existsSync(BUNDLED_CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heapscope-full-'));
  });
  afterEach(async () => {
    await target?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails with a disk-full message, exit code 2, and leaves no partial file', async () => {
    target = startNode(['--inspect=127.0.0.1:0', fixture('alloc.js')]);
    const url = (await target.waitFor(/Debugger listening on (ws:\/\/\S+)/))[1];
    // A snapshot of this target is several MiB: 512 KiB runs out part-way.
    const result = await runLimited(512, ['snapshot', '--attach', url, '--out', join(dir, 'a.heapsnapshot')]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /The heap snapshot could not be written: the file size limit was reached after 0\.5 MiB .*The partial file was removed/,
    );
    assert.doesNotMatch(result.stderr, /target-lost|target is gone|lost/);
    assert.deepEqual(await readdir(dir), []);
    // The target is unharmed and a capture with room works.
    const ok = await runLimited(1024 * 1024, [
      'snapshot',
      '--attach',
      url,
      '--out',
      join(dir, 'b.heapsnapshot'),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(await readdir(dir), ['b.heapsnapshot']);
  });
});
