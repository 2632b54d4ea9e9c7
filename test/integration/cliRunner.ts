// Runs the `heapscope` CLI in a subprocess, as a user does, and collects what it printed and its exit
// code. The bundled dist/cli.js by default (built by the test command); `fromSource` runs
// src/cli/main.ts through tsx for tests that need no build.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const BUNDLED_CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const SOURCE_CLI = join(__dirname, '..', '..', 'src', 'cli', 'main.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Written to the CLI's stdin, which is then closed; without it stdin is empty. */
  stdin?: string;
  fromSource?: boolean;
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const entry = options.fromSource ? ['--require', 'tsx/cjs', SOURCE_CLI] : [BUNDLED_CLI];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    // 'close', not 'exit': the output streams are complete only then.
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
