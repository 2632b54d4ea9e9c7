// `heapscope check --arm-oom-snapshot <dir>`: a launched process that runs out of heap writes its
// heap snapshot into <dir> on the way down, and the CLI says where.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../cliRunner';

const fixture = resolve(__dirname, '..', '..', 'fixtures', 'oom', 'fast-leak.js');

describe('heapscope check --arm-oom-snapshot (real process running out of heap)', function () {
  this.timeout(120_000);
  const work = mkdtempSync(join(tmpdir(), 'heapscope-oom-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('writes the snapshot near the heap limit into the folder, and names it', async () => {
    const dir = join(work, 'snapshots');
    const result = await runCli([
      'check',
      '--duration',
      '90',
      '--no-holders',
      '--arm-oom-snapshot',
      dir,
      '--',
      'node',
      '--max-old-space-size=48',
      fixture,
    ]);
    const files = readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot'));
    assert.equal(files.length, 1, result.stderr);
    assert.ok(statSync(join(dir, files[0])).size > 1_000_000);
    assert.equal(statSync(dir).mode & 0o077, 0, 'the folder is the user’s only');
    assert.match(result.stderr, /target exited/);
    assert.match(result.stderr, new RegExp(`heap snapshot written near the heap limit: .*${files[0]}`));
  });
});
