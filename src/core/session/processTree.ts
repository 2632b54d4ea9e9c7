// Node processes below the observed one that are not observed themselves. A launched tree observes
// every process that announces an inspector (treeSession.ts); what is left is a process found by
// pid whose children run beside it, or a child started without the inspector flag. Their memory is
// in none of the figures, so a flat parent must not read as a no-leak of the application: the
// verdict is capped at inconclusive, and the reason names the children to observe instead.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { TrendVerdict } from '../types';

export interface ChildNodeProcess {
  pid: number;
  command: string;
}

interface ProcessRow {
  pid: number;
  ppid: number;
  argv: string[];
}

/** Every process on this machine with its parent, from /proc (Linux) or `ps` (elsewhere). */
async function processTable(): Promise<ProcessRow[]> {
  if (process.platform === 'linux') {
    let entries: string[];
    try {
      entries = await readdir('/proc');
    } catch {
      return [];
    }
    const rows: ProcessRow[] = [];
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
        // The command name in parentheses may hold spaces and parentheses: the fields follow the last ')'.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').filter(Boolean);
        rows.push({ pid: Number(entry), ppid: Number(fields[1]), argv });
      } catch {
        // The process ended while the table was read.
      }
    }
    return rows;
  }
  if (process.platform === 'win32') return [];
  const out = await new Promise<string | undefined>((resolve) =>
    execFile('ps', ['-axo', 'pid=,ppid=,command='], { timeout: 5000 }, (error, stdout) =>
      resolve(error ? undefined : stdout),
    ),
  );
  const rows: ProcessRow[] = [];
  for (const line of out?.split('\n') ?? []) {
    const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (match) rows.push({ pid: Number(match[1]), ppid: Number(match[2]), argv: match[3].split(/\s+/) });
  }
  return rows;
}

function isNode(argv0: string | undefined): boolean {
  const name = basename(argv0 ?? '').toLowerCase();
  return name === 'node' || /^node\d+$/.test(name) || name === 'nodejs' || name === 'node.exe';
}

/** The Node processes descending from `pid` (children, grandchildren…), nearest first. */
export async function nodeDescendants(pid: number): Promise<ChildNodeProcess[]> {
  const rows = await processTable();
  const children = new Map<number, ProcessRow[]>();
  for (const row of rows) {
    const list = children.get(row.ppid) ?? [];
    list.push(row);
    children.set(row.ppid, list);
  }
  const found: ChildNodeProcess[] = [];
  const queue = [...(children.get(pid) ?? [])];
  const seen = new Set<number>([pid]);
  while (queue.length) {
    const row = queue.shift()!;
    if (seen.has(row.pid)) continue;
    seen.add(row.pid);
    if (isNode(row.argv[0])) found.push({ pid: row.pid, command: row.argv.join(' ') });
    queue.push(...(children.get(row.pid) ?? []));
  }
  return found;
}

/** Caps a no-leak at inconclusive while Node children run unobserved. Pure. */
export function capForUnobservedChildren(
  verdict: TrendVerdict,
  pid: number,
  children: readonly ChildNodeProcess[],
): TrendVerdict {
  if (verdict.verdict !== 'no-leak' || children.length === 0) return verdict;
  const named = children
    .slice(0, 3)
    .map((c) => `pid ${c.pid} \`${c.command.length > 60 ? c.command.slice(0, 57) + '...' : c.command}\``)
    .join(', ');
  const more = children.length > 3 ? ` and ${children.length - 3} more` : '';
  return {
    verdict: 'inconclusive',
    growth: { ...verdict.growth, confidence: 0 },
    reason:
      `The observed process (pid ${pid}) is flat, but it runs Node child processes that are not ` +
      `observed (${named}${more}): their memory is in none of these figures. Observe a child with ` +
      `heapscope check --pid <pid>.`,
  };
}

/** Keeps the list of unobserved Node children of one process fresh, every few seconds at most. */
export class ProcessTreeWatch {
  private children: ChildNodeProcess[] = [];
  private lastMs = -Infinity;
  private inFlight: Promise<void> | undefined;

  constructor(
    readonly pid: number,
    private readonly everyMs = 5000,
  ) {}

  get unobserved(): readonly ChildNodeProcess[] {
    return this.children;
  }

  /** Refreshes in the background when the list is older than everyMs; never throws. */
  refresh(nowMs = Date.now()): void {
    if (this.inFlight || nowMs - this.lastMs < this.everyMs) return;
    this.lastMs = nowMs;
    this.inFlight = nodeDescendants(this.pid)
      .then(
        (children) => void (this.children = children),
        () => undefined,
      )
      .finally(() => (this.inFlight = undefined));
  }
}
