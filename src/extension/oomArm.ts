// "Arm a heap snapshot near the heap limit", offered on a leak verdict: what it costs and when it
// cannot work, in words the user reads before saying yes, and the hand-over of the file Node writes
// (into the target's own folder) to the folder the user chose, readable by the user only.
// Pure apart from the file system: no `vscode`.
import { chmod, copyFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshotCost } from '../core/heapsnapshot/capture';
import type { MemorySample, TargetInfo } from '../core/types';
import { formatBytes, formatSeconds } from '../shared/format';

export interface OomArmOffer {
  /** False: not offered, `why` says why. */
  available: boolean;
  why?: string;
  /** What it costs and when it cannot work, for the confirmation. */
  cost: string;
}

/** Whether a session can be armed, and what arming costs, from what the session knows. */
export function oomArmOffer(target: TargetInfo, lastSample: MemorySample | undefined): OomArmOffer {
  const limit = lastSample?.heapLimitBytes;
  const cost = costText(target, limit);
  if (target.kind === 'recording' || target.kind === 'prometheus')
    return { available: false, why: 'a recording has no process to arm', cost };
  if (target.kind === 'k8s')
    return {
      available: false,
      why:
        'the snapshot would be written inside the container, and under a container memory limit close ' +
        'to the heap limit the process is killed before the file is complete; use `heapscope check ' +
        '--arm-oom-snapshot` in the pod, then `kubectl cp` the file',
      cost,
    };
  if (target.kind === 'debug-session' && beforeNode22(target))
    return {
      available: false,
      why:
        `Node ${target.nodeVersion} skips the near-limit snapshot while a debugger is attached; run the ` +
        'program without the debugger, or on Node 22 or later',
      cost,
    };
  return { available: true, cost };
}

/** Node 20 and older skip the near-limit snapshot while a Debugger domain is on. */
function beforeNode22(target: TargetInfo): boolean {
  const major = Number(/^v?(\d+)\./.exec(target.nodeVersion ?? '')?.[1] ?? 0);
  return major > 0 && major < 22;
}

function costText(target: TargetInfo, heapLimitBytes: number | undefined): string {
  const at = heapLimitBytes ? snapshotCost(heapLimitBytes) : undefined;
  const parts = [
    'When the JS heap nears its limit, Node writes one heap snapshot before the out-of-memory crash.',
    at
      ? `Cost at this heap's limit (${formatBytes(heapLimitBytes!)}): the process stops for about ` +
        `${formatSeconds(at.pauseSeconds)} while it is written and needs extra memory — at least as much ` +
        `again as the heap, up to about ${formatBytes(at.extraMemoryBytes)} for heaps of many small objects.`
      : 'Cost: the process stops while it is written (about 1 s per 10 MiB of heap) and needs extra ' +
        'memory — at least as much again as the heap, up to about 9 times for heaps of many small objects.',
    'It cannot work when the process has less memory to spare than that (a container limit close to ' +
      'the heap limit): the process is killed before the file is complete.',
    'Node writes it into the process\u2019s own working folder (a running process cannot be given another); ' +
      'Heapscope moves it to the folder you choose, readable by you only, when the process ends.',
  ];
  if (beforeNode22(target))
    parts.push(
      `On Node ${target.nodeVersion} the snapshot is skipped while a debugger is attached: Heapscope ` +
        'stops watching for debugger pauses in this session, and a debug session cannot be armed.',
    );
  return parts.join(' ');
}

/** Node's near-limit snapshot names: Heap.<date>.<time>.<pid>.<thread>.<seq>.heapsnapshot. */
const NEAR_LIMIT_SNAPSHOT = /^Heap\.\d{8}\.\d{6}\.\d+\.\d+\.\d+\.heapsnapshot$/;

/**
 * Moves the near-limit snapshots written in `fromDir` since `sinceMs` (by `pid` when known) into
 * `toDir`, mode 0600. Returns the files as they now are. A file that cannot be moved is left where it
 * is and reported through `onError`, never lost.
 */
export async function collectNearLimitSnapshots(
  fromDir: string,
  toDir: string,
  sinceMs: number,
  options: { pid?: number; onError?: (file: string, error: unknown) => void } = {},
): Promise<string[]> {
  const names = await readdir(fromDir).catch(() => [] as string[]);
  const out: string[] = [];
  for (const name of names) {
    if (!NEAR_LIMIT_SNAPSHOT.test(name)) continue;
    if (options.pid !== undefined && name.split('.')[3] !== String(options.pid)) continue;
    const from = join(fromDir, name);
    try {
      const info = await stat(from);
      // A second of slack: file times can be coarser than the clock the arm time was read from.
      if (info.mtimeMs < sinceMs - 1000) continue;
      // Node creates it with the process's umask: narrow it before it moves anywhere.
      await chmod(from, 0o600);
      const to = join(toDir, name);
      if (to !== from) await move(from, to);
      out.push(to);
    } catch (error) {
      options.onError?.(from, error);
    }
  }
  return out;
}

async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    // Another file system: copy, keep the mode, then remove the original.
    await copyFile(from, to);
    await chmod(to, 0o600);
    await unlink(from);
  }
}
