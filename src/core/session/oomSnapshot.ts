// "Capture on the way down": arm a process so that, when its heap nears the limit, V8 writes a heap
// snapshot before the out-of-memory crash. A launched process gets Node's own flags through
// NODE_OPTIONS (--heapsnapshot-near-heap-limit, --diagnostic-dir: the file lands in the chosen
// folder, in every Node process of the tree). A running process is armed with a fixed expression
// (v8.setHeapSnapshotNearHeapLimit); Node then writes to the target's own diagnostic folder (its
// working directory unless --diagnostic-dir was given), which the expression returns. Cost: the
// snapshot needs about as much memory again as the heap, and pauses the process while it is written;
// under a container limit close to the heap limit the process is killed before the file is done.
import { HeapscopeError } from '../errors';

/** At most this many snapshots per process: the first one is the one that matters. */
const MAX_SNAPSHOTS = 1;

/** NODE_OPTIONS for a launched process, armed to write into `dir` (an absolute path). */
export function armedNodeOptions(existing: string | undefined, dir: string): string {
  if (/["\n\r]/.test(dir))
    throw new HeapscopeError(
      'usage',
      `--arm-oom-snapshot: the folder name cannot hold quotes or newlines: ${dir}`,
    );
  return [existing ?? '', `--heapsnapshot-near-heap-limit=${MAX_SNAPSHOTS}`, `--diagnostic-dir="${dir}"`]
    .filter(Boolean)
    .join(' ');
}

/** Arms a running process; returns the folder the snapshot will be written to, or null. Fixed text. */
export const ARM_OOM_EXPRESSION = `(() => {
  const v8 = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('v8')
    : (process.mainModule ? process.mainModule.require('v8') : null);
  if (!v8 || typeof v8.setHeapSnapshotNearHeapLimit !== 'function') return null;
  v8.setHeapSnapshotNearHeapLimit(${MAX_SNAPSHOTS});
  const flag = process.execArgv.concat((process.env.NODE_OPTIONS || '').split(' '))
    .find((a) => a.startsWith('--diagnostic-dir='));
  return flag ? flag.slice('--diagnostic-dir='.length).replace(/^"|"$/g, '') : process.cwd();
})()`;
