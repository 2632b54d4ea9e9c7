// Worker-thread entry of the explorer (bundled to dist/explorer.worker.js): loads one snapshot and
// keeps its graph for as long as the editor showing it is open, answering one query at a time. The
// graph never leaves this thread; only the rows of each answer do. Ending the worker gives the
// memory back to the OS.
import { parentPort, workerData } from 'node:worker_threads';
import { HeapscopeError } from '../../errors';
import type { SnapshotExplorer } from './explorer';
import { answerQuery, openExplorer } from './open';
import type { ExplorerQuery } from './types';
import type { ExplorerWorkerMessage } from './client';

function errorMessage(error: unknown): { code: string; message: string; stack?: string } {
  const e = error as Error;
  return {
    code: error instanceof HeapscopeError ? error.code : 'internal',
    message: e?.message ?? String(error),
    ...(error instanceof HeapscopeError ? {} : { stack: e?.stack }),
  };
}

if (parentPort) {
  const port = parentPort;
  const { file } = workerData as { file: string };
  const post = (message: ExplorerWorkerMessage): void => port.postMessage(message);
  let explorer: SnapshotExplorer | undefined;
  // Queries are answered in order: a comparison that reads another file holds the next ones back.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (message: { id: number; query: ExplorerQuery }) => {
    queue = queue.then(async () => {
      try {
        if (!explorer) throw new HeapscopeError('internal', 'The snapshot is not loaded yet.');
        const t0 = performance.now();
        const answer = await answerQuery(explorer, message.query, {
          onProgress: (progress) => post({ type: 'progress', progress }),
        });
        post({ type: 'answer', id: message.id, answer, ms: performance.now() - t0 });
      } catch (error) {
        post({ type: 'failed', id: message.id, ...errorMessage(error) });
      }
    });
  });
  openExplorer(
    file,
    { onProgress: (progress) => post({ type: 'progress', progress }) },
    // Counts and shallow sizes go out before the analysis starts: the editor shows them meanwhile.
    (table) => post({ type: 'provisional', table }),
  ).then(
    (loaded) => {
      explorer = loaded;
      // The first table goes with the news that the snapshot is loaded (no query's round trip);
      // then, before any query is read, the indexes the next views need (~0.4 s on a 4M-node
      // heap): the pages of a class, the retainers.
      post({ type: 'ready', info: loaded.info(), classes: loaded.classRows() });
      setImmediate(() => loaded.prepareIndexes());
    },
    (error: unknown) => post({ type: 'loadFailed', ...errorMessage(error) }),
  );
}
