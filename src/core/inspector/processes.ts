// Running Node processes on this machine, read from /proc (Linux) or `ps` (macOS): for the pid
// target (refuse to send SIGUSR1 to something that is not Node: its default action kills) and for
// the VS Code process picker.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';

export interface NodeProcess {
  pid: number;
  /** argv joined by spaces, for a label. */
  command: string;
  argv: string[];
  /** Port of its inspector when its command line turns one on (--inspect[=host:]port). */
  inspectorPort?: number;
}

export function looksLikeNode(argv0: string): boolean {
  const name = basename(argv0).toLowerCase();
  return name === 'node' || /^node\d+$/.test(name) || name === 'nodejs';
}

/** The argv of a process, or undefined when it does not exist or cannot be read. */
export async function processArgv(pid: number): Promise<string[] | undefined> {
  if (process.platform === 'linux') {
    try {
      const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      return raw.split('\0').filter((part, index, all) => part !== '' || index < all.length - 1);
    } catch {
      return undefined;
    }
  }
  const out = await run('ps', ['-o', 'command=', '-p', String(pid)]);
  return out?.trim() ? out.trim().split(/\s+/) : undefined;
}

function inspectorPortOf(argv: readonly string[]): number | undefined {
  for (const arg of argv) {
    const match = /^--inspect(?:-brk|-wait)?(?:=(?:.*:)?(\d+))?$/.exec(arg);
    if (match) return match[1] ? Number(match[1]) : 9229;
  }
  return undefined;
}

export async function listNodeProcesses(signal?: AbortSignal): Promise<NodeProcess[]> {
  const found: NodeProcess[] = [];
  if (process.platform === 'linux') {
    let entries: string[];
    try {
      entries = await readdir('/proc');
    } catch {
      return [];
    }
    for (const entry of entries) {
      if (signal?.aborted) break;
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      if (pid === process.pid) continue;
      const argv = await processArgv(pid);
      if (!argv?.length || !looksLikeNode(argv[0])) continue;
      found.push({ pid, argv, command: argv.join(' '), inspectorPort: inspectorPortOf(argv) });
    }
    return found;
  }
  const out = await run('ps', ['-axo', 'pid=,command=']);
  for (const line of out?.split('\n') ?? []) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const pid = Number(match[1]);
    const argv = match[2].split(/\s+/);
    if (pid === process.pid || !looksLikeNode(argv[0])) continue;
    found.push({ pid, argv, command: match[2], inspectorPort: inspectorPortOf(argv) });
  }
  return found;
}

function run(command: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 5000 }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}
