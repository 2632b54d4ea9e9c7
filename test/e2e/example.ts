// The workspace's leaking example server (test/e2e/workspace-extra via code-server.sh), started by a
// test with its inspector on a free loopback port, for the tests that attach to a running process.
import { spawn, type ChildProcess } from 'node:child_process';

export function startExample(workspace: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', 'server.js'], {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`example did not open its inspector: ${err}`)), 15_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = /Debugger listening on (ws:\/\/\S+)/.exec(err);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    });
    child.stdout!.resume();
    child.on('exit', (code) => reject(new Error(`example exited early (${code}): ${err}`)));
  });
}
