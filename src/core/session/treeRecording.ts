// The tree's own events beside the recording of its first process: which processes the launched
// command started, which ended, and which replaced which (a restart). Each process's readings are
// in its own recording (the first in the folder itself, the others in processes/<pid>); this file
// says how they follow one another. Append-only JSON lines, like events.jsonl; a write that fails
// is given up for the session (the readings are what matters), never thrown.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessReport } from '../types';

export const TREE_EVENTS_FILE = 'tree.jsonl';

export type TreeEvent =
  /** Found (roles are settled in the report: a primary is known as one once its workers appear). */
  | { t: 'process'; at: number; d: Pick<ProcessReport, 'pid' | 'ppid' | 'command' | 'wrapper'> }
  | { t: 'ended'; at: number; d: { pid: number; message?: string } }
  | { t: 'restart'; at: number; d: { endedPid: number; nextPid: number; gapSeconds: number } };

export class TreeRecording {
  private failed = false;

  constructor(
    private readonly dir: string,
    private readonly log: (line: string) => void,
  ) {}

  write(event: TreeEvent): void {
    if (this.failed) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      appendFileSync(join(this.dir, TREE_EVENTS_FILE), JSON.stringify(event) + '\n', { mode: 0o600 });
    } catch (error) {
      this.failed = true;
      this.log(`heapscope: the tree's events are not recorded: ${String(error)}`);
    }
  }
}
