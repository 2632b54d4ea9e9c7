// The extension host's handle on an explorer worker: opens a snapshot in its own worker thread (the
// bundled dist/explorer.worker.js, or the TypeScript source through tsx when running from source)
// and sends it queries, each answered by a promise. In-process mode runs the same code on the
// calling thread (tests).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { HeapscopeError, type HeapscopeErrorCode } from '../../errors';
import type { TaskProgress } from '../tasks';
import type { SnapshotExplorer } from './explorer';
import { answerQuery, openExplorer } from './open';
import type { ClassRow, ExplorerAnswer, ExplorerQuery, ProvisionalTable, SnapshotInfo } from './types';

/** What the worker posts back. */
export type ExplorerWorkerMessage =
  | { type: 'progress'; progress: TaskProgress }
  /** Parsed, not yet analysed: counts and shallow sizes by class (no retained sizes yet). */
  | { type: 'provisional'; table: ProvisionalTable }
  /** Loaded: with the first table (every class, largest retained first), so it costs no query. */
  | { type: 'ready'; info: SnapshotInfo; classes: ClassRow[] }
  | { type: 'loadFailed'; code: string; message: string; stack?: string }
  | { type: 'answer'; id: number; answer: unknown; ms: number }
  | { type: 'failed'; id: number; code: string; message: string; stack?: string };

export interface ExplorerOpenOptions {
  onProgress?: (p: TaskProgress) => void;
  /** The class table before the analysis (see ProvisionalTable); the full one comes with the handle. */
  onProvisional?: (table: ProvisionalTable) => void;
  signal?: AbortSignal;
  inProcess?: boolean;
  /** Heap limit of the worker in MB (the 1.6 GB snapshots need room beyond the default). */
  maxOldGenerationSizeMb?: number;
}

export interface ExplorerHandle {
  readonly info: SnapshotInfo;
  /** The class table as loaded (largest retained first): the first table shown. */
  readonly classes: ClassRow[];
  query<Q extends ExplorerQuery>(query: Q): Promise<ExplorerAnswer<Q>>;
  /** The same, with the time the query itself took (in the worker: without the messages' hops). */
  timedQuery<Q extends ExplorerQuery>(query: Q): Promise<{ answer: ExplorerAnswer<Q>; ms: number }>;
  /** Ends the worker (its memory goes back to the OS); pending queries fail as cancelled. */
  dispose(): void;
}

function workerEntry(): { file: string; execArgv: string[] } | undefined {
  const bundled = path.join(__dirname, 'explorer.worker.js');
  if (existsSync(bundled)) return { file: bundled, execArgv: [] };
  const source = path.join(__dirname, 'worker.ts');
  if (existsSync(source)) return { file: source, execArgv: ['--require', 'tsx/cjs'] };
  const dist = path.resolve(__dirname, '../../../../dist/explorer.worker.js');
  if (existsSync(dist)) return { file: dist, execArgv: [] };
  return undefined;
}

function toError(message: { code: string; message: string; stack?: string }): HeapscopeError {
  const error = new HeapscopeError(message.code as HeapscopeErrorCode, message.message);
  if (message.stack) error.stack = message.stack;
  return error;
}

class InProcessExplorer implements ExplorerHandle {
  private disposed = false;
  readonly classes: ClassRow[];
  constructor(
    private readonly explorer: SnapshotExplorer,
    readonly info: SnapshotInfo,
  ) {
    this.classes = explorer.classRows();
  }
  async query<Q extends ExplorerQuery>(query: Q): Promise<ExplorerAnswer<Q>> {
    return (await this.timedQuery(query)).answer;
  }
  async timedQuery<Q extends ExplorerQuery>(query: Q): Promise<{ answer: ExplorerAnswer<Q>; ms: number }> {
    if (this.disposed) throw new HeapscopeError('cancelled', 'The snapshot was closed.');
    const t0 = performance.now();
    const answer = await answerQuery(this.explorer, query);
    return { answer, ms: performance.now() - t0 };
  }
  dispose(): void {
    this.disposed = true;
  }
}

class WorkerExplorer implements ExplorerHandle {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: { answer: unknown; ms: number }) => void; reject: (e: Error) => void }
  >();
  private ended: HeapscopeError | undefined;

  constructor(
    private readonly worker: Worker,
    readonly info: SnapshotInfo,
    readonly classes: ClassRow[],
  ) {
    worker.on('message', (message: ExplorerWorkerMessage) => {
      if (message.type !== 'answer' && message.type !== 'failed') return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.type === 'answer') waiter.resolve({ answer: message.answer, ms: message.ms });
      else waiter.reject(toError(message));
    });
    const end = (error: HeapscopeError): void => {
      this.ended ??= error;
      for (const waiter of this.pending.values()) waiter.reject(this.ended);
      this.pending.clear();
    };
    worker.on('error', (error) =>
      end(
        new HeapscopeError(
          'internal',
          /memory/i.test(error.message)
            ? `The snapshot explorer ran out of memory: ${error.message}`
            : `The snapshot explorer's worker failed: ${error.message}`,
        ),
      ),
    );
    worker.on('exit', () => end(new HeapscopeError('cancelled', 'The snapshot was closed.')));
  }

  async query<Q extends ExplorerQuery>(query: Q): Promise<ExplorerAnswer<Q>> {
    return (await this.timedQuery(query)).answer;
  }

  timedQuery<Q extends ExplorerQuery>(query: Q): Promise<{ answer: ExplorerAnswer<Q>; ms: number }> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise<{ answer: ExplorerAnswer<Q>; ms: number }>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: { answer: unknown; ms: number }) => void, reject });
      this.worker.postMessage({ id, query });
    });
  }

  dispose(): void {
    this.ended ??= new HeapscopeError('cancelled', 'The snapshot was closed.');
    void this.worker.terminate();
  }
}

/** Loads `file` for the explorer; resolves once the first table can be asked for. */
export async function openSnapshotExplorer(
  file: string,
  options: ExplorerOpenOptions = {},
): Promise<ExplorerHandle> {
  if (options.signal?.aborted) throw new HeapscopeError('cancelled', 'Opening the snapshot was cancelled.');
  const entry = options.inProcess ? undefined : workerEntry();
  if (!entry) {
    const explorer = await openExplorer(
      file,
      { onProgress: options.onProgress, signal: options.signal },
      options.onProvisional,
    );
    return new InProcessExplorer(explorer, explorer.info());
  }
  const worker = new Worker(entry.file, {
    workerData: { file },
    execArgv: entry.execArgv,
    resourceLimits: options.maxOldGenerationSizeMb
      ? { maxOldGenerationSizeMb: options.maxOldGenerationSizeMb }
      : undefined,
    stdout: false,
    stderr: false,
  });
  return new Promise<ExplorerHandle>((resolve, reject) => {
    let settled = false;
    const fail = (error: HeapscopeError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      void worker.terminate();
      reject(error);
    };
    const onAbort = (): void => fail(new HeapscopeError('cancelled', 'Opening the snapshot was cancelled.'));
    const onMessage = (message: ExplorerWorkerMessage): void => {
      if (message.type === 'progress') options.onProgress?.(message.progress);
      else if (message.type === 'provisional' && !settled) options.onProvisional?.(message.table);
      else if (message.type === 'loadFailed') fail(toError(message));
      else if (message.type === 'ready' && !settled) {
        settled = true;
        cleanup();
        // Progress of later queries (a comparison reads files) still reaches the caller.
        worker.on('message', (m: ExplorerWorkerMessage) => {
          if (m.type === 'progress') options.onProgress?.(m.progress);
        });
        resolve(new WorkerExplorer(worker, message.info, message.classes));
      }
    };
    const onError = (error: Error): void =>
      fail(
        new HeapscopeError(
          'internal',
          /memory/i.test(error.message)
            ? `Heap snapshot analysis ran out of memory: ${error.message}`
            : `The snapshot explorer's worker failed: ${error.message}`,
          { cause: error },
        ),
      );
    const onExit = (code: number): void =>
      fail(
        new HeapscopeError('internal', `The snapshot explorer's worker exited (code ${code}) while loading.`),
      );
    const cleanup = (): void => {
      options.signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
