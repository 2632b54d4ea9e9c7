// The `heapscope` executable. It loads the command line in this process: the whole of it
// (cliMain.js), or for the commands that analyse snapshot files only theirs (cliAnalyse.js, a tenth
// of the size: start-up is part of what `heapscope summary` makes a user wait for). Large snapshots
// are analysed in a child started with huge pages for its memory (hugePages.ts says why and when).
// Kept free of the engine so that deciding costs nothing.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hugePageEnvironment, isSnapshotAnalysis, processHost, RELAUNCHED_ENV } from './hugePages';

function runHere(): void {
  // Loaded by path, which the bundler leaves alone: the command line is a bundle next to this one
  // (or, run from source, its TypeScript through tsx).
  const [bundle, source] = isSnapshotAnalysis(process.argv.slice(2))
    ? ['cliAnalyse.js', 'analyseMain']
    : ['cliMain.js', 'main'];
  const bundled = join(__dirname, bundle);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(existsSync(bundled) ? bundled : join(__dirname, source));
}

function runInChild(env: NodeJS.ProcessEnv): void {
  // Required here, not imported: the child (and every command run here) would load it for nothing.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...env, [RELAUNCHED_ENV]: String(process.pid) },
  });
  // Ctrl-C reaches the child from the terminal (same process group): it stops and says so. Signals
  // sent to this process alone are passed on.
  const ignore = (): void => undefined;
  const forward = (signal: NodeJS.Signals) => (): void => {
    child.kill(signal);
  };
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward('SIGTERM'));
  process.on('SIGHUP', forward('SIGHUP'));
  child.on('error', () => {
    // Could not start a second Node: analyse here, without huge pages.
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGHUP');
    runHere();
  });
  child.on('exit', (code, signal) => {
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGHUP');
    if (signal) process.kill(process.pid, signal);
    // At once: the command's output is written, nothing of this process is left to wait for.
    else process.exit(code ?? 1);
  });
}

const env = hugePageEnvironment(process.argv.slice(2), processHost);
if (env) runInChild(env);
else runHere();
