// Worker-thread entry (bundled to dist/heapsnapshot.worker.js): runs one snapshot task per worker so
// parsing and dominators never block the extension host or the CLI, and the memory of a big
// snapshot goes back to the OS when the worker ends.
import { parentPort, workerData } from 'node:worker_threads';
import { HeapscopeError } from '../errors';
import { runTask, type TaskRequest } from './taskRouter';

if (parentPort) {
  const port = parentPort;
  const request = workerData as TaskRequest;
  runTask(request, { onProgress: (progress) => port.postMessage({ type: 'progress', progress }) }).then(
    (result) => port.postMessage({ type: 'result', result }),
    (error: unknown) => {
      const e = error as Error;
      port.postMessage({
        type: 'error',
        code: error instanceof HeapscopeError ? error.code : 'internal',
        message: e?.message ?? String(error),
        stack: error instanceof HeapscopeError ? undefined : e?.stack,
      });
    },
  );
}
