// SIGUSR1 goes only to a process known to be Node: its default action terminates any other process.
// A real zombie (a child its parent never reaps) has a pid that answers kill(pid, 0) but an empty
// /proc/<pid>/cmdline: Heapscope cannot tell what it is, so it must refuse rather than signal.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { isHeapscopeError } from '../../../src/core/errors';
import { wakeInspector } from '../../../src/core/inspector';
import { freePort } from './targets';

async function processState(pid: number): Promise<string | undefined> {
  try {
    // "pid (comm) S ...": the state follows the last ')'.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

describe('inspector: SIGUSR1 only to a process known to be Node', function () {
  this.timeout(30_000);
  if (process.platform !== 'linux') return;

  it('refuses a pid whose command line cannot be read (a zombie), with a clear message', async () => {
    // `sleep 0` exits at once; `exec sleep 30` replaces the shell and never reaps it: a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const zombie = await new Promise<number>((resolve, reject) => {
        parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
        parent.once('error', reject);
      });
      const deadline = Date.now() + 10_000;
      while ((await processState(zombie)) !== 'Z') {
        assert.ok(Date.now() < deadline, `pid ${zombie} did not become a zombie`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const started = Date.now();
      await assert.rejects(
        wakeInspector(zombie, { port: await freePort(), timeoutMs: 5000 }),
        (error: unknown) =>
          isHeapscopeError(error, 'target-not-node') &&
          /Cannot read the command line of pid \d+/.test(error.message) &&
          /was not sent/.test(error.message),
      );
      // Refused before any signal: no wait for an inspector to appear.
      assert.ok(Date.now() - started < 5000);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
