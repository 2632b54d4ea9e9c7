// Runs a snapshot task in a worker thread: the bundled dist/heapsnapshot.worker.js next to the
// running bundle, or the TypeScript source through tsx when running from source (tests, tsx).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { HeapscopeError, type HeapscopeErrorCode } from '../errors';
import type { TaskProgress } from './tasks';
import { runTask, type TaskRequest } from './taskRouter';

export interface RunOptions {
  onProgress?: (p: TaskProgress) => void;
  signal?: AbortSignal;
  /** Run on the calling thread (small files, environments without worker support). */
  inProcess?: boolean;
  /** Heap limit of the worker in MB (big snapshots need room for the typed arrays' bookkeeping). */
  maxOldGenerationSizeMb?: number;
}

function workerEntry(): { file: string; execArgv: string[] } | undefined {
  const bundled = path.join(__dirname, 'heapsnapshot.worker.js');
  if (existsSync(bundled)) return { file: bundled, execArgv: [] };
  const source = path.join(__dirname, 'worker.ts');
  if (existsSync(source)) return { file: source, execArgv: ['--require', 'tsx/cjs'] };
  const dist = path.resolve(__dirname, '../../../dist/heapsnapshot.worker.js');
  if (existsSync(dist)) return { file: dist, execArgv: [] };
  return undefined;
}

export async function runSnapshotTask<T>(request: TaskRequest, options: RunOptions = {}): Promise<T> {
  const entry = options.inProcess ? undefined : workerEntry();
  if (!entry)
    return (await runTask(request, { onProgress: options.onProgress, signal: options.signal })) as T;
  if (options.signal?.aborted) throw new HeapscopeError('cancelled', 'Heap snapshot analysis was cancelled.');
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(entry.file, {
      workerData: request,
      execArgv: entry.execArgv,
      resourceLimits: options.maxOldGenerationSizeMb
        ? { maxOldGenerationSizeMb: options.maxOldGenerationSizeMb }
        : undefined,
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () =>
      finish(() => reject(new HeapscopeError('cancelled', 'Heap snapshot analysis was cancelled.')));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on(
      'message',
      (message: {
        type: string;
        progress?: TaskProgress;
        result?: unknown;
        code?: string;
        message?: string;
        stack?: string;
      }) => {
        if (message.type === 'progress' && message.progress) options.onProgress?.(message.progress);
        else if (message.type === 'result') finish(() => resolve(message.result as T));
        else if (message.type === 'error') {
          const code = (message.code ?? 'internal') as HeapscopeErrorCode;
          const error = new HeapscopeError(code, message.message ?? 'Heap snapshot analysis failed.');
          if (message.stack) error.stack = message.stack;
          finish(() => reject(error));
        }
      },
    );
    worker.on('error', (error) => {
      const outOfMemory = /memory/i.test(error.message);
      finish(() =>
        reject(
          new HeapscopeError(
            'internal',
            outOfMemory
              ? `Heap snapshot analysis ran out of memory: ${error.message}`
              : `Heap snapshot worker failed: ${error.message}`,
            { cause: error },
          ),
        ),
      );
    });
    worker.on('exit', (code) => {
      finish(() =>
        reject(
          new HeapscopeError('internal', `Heap snapshot worker exited (code ${code}) before answering.`),
        ),
      );
    });
  });
}
