// Takes a heap snapshot over CDP, streaming each chunk to disk as it arrives (never one giant
// string), with progress and cancellation. The file is V8's own serialization, unchanged, so it
// opens in Chrome DevTools.
//
// The file is private (0600) and created exclusively: `<file>.partial` is opened with O_EXCL (an
// existing file or link at that name is an error, never followed), and the finished file is linked
// to its name, which also refuses to replace anything there. A cancelled or failed capture removes
// the partial file. Chunks are written one after the other, each awaited, so a slow disk queues
// them in order rather than in an unbounded stream buffer. A full disk (or a file-size limit) is
// its own error, not a lost target. One capture at a time per client: chunks of two snapshots on
// one connection could not be told apart.
import { link, lstat, open, rm, type FileHandle } from 'node:fs/promises';
import { HeapscopeError, describeError } from '../errors';
import type { CdpClient } from '../inspector/cdp';
import type { SnapshotProgress } from '../session/api';

export interface CaptureOptions {
  /** HeapProfiler.collectGarbage before the snapshot (what DevTools does anyway). */
  forceGc?: boolean;
  onProgress?: (p: SnapshotProgress) => void;
  signal?: AbortSignal;
}

export interface CaptureResult {
  file: string;
  bytes: number;
  /** How long the target was busy serialising (takeHeapSnapshot round trip). */
  pauseMs: number;
}

/**
 * How long a snapshot of a heap this size stops the target's JavaScript, roughly: V8 writes about
 * 10 MiB of heap a second (measured on a 2-core machine: 341 MiB of heap, 34 s over the
 * inspector; 28 s for v8.writeHeapSnapshot in the process itself; 12 MiB, 0.4 s).
 */
export function snapshotPauseSeconds(heapUsedBytes: number): number {
  return heapUsedBytes / (10 * 1024 * 1024);
}

/**
 * Extra memory the target needs while V8 writes a snapshot, per byte of used heap: V8 builds the
 * whole heap graph, its names and edges before the chunks leave the process. Measured as
 * (peak RSS during capture − RSS before) / heap used, on heaps of small objects as a service holds
 * (bench/snapshot/captureMemory.ts): ×8.0–9.0 on Node 20, ×7.7–8.3 on Node 22, ×7.6–8.6 on Node 24,
 * for 40 and 100 MiB heaps. The highest is used, so a warning is never late.
 */
export const SNAPSHOT_MEMORY_FACTOR = 9;

export interface SnapshotCost {
  pauseSeconds: number;
  /** Memory the target grows by while writing, about. */
  extraMemoryBytes: number;
}

export function snapshotCost(heapUsedBytes: number): SnapshotCost {
  return {
    pauseSeconds: snapshotPauseSeconds(heapUsedBytes),
    extraMemoryBytes: Math.round(heapUsedBytes * SNAPSHOT_MEMORY_FACTOR),
  };
}

/**
 * Whether a snapshot could push a container over its memory limit: what it uses now plus what the
 * capture adds. `undefined` limit (none set) never crosses.
 */
export function snapshotCrossesLimit(
  heapUsedBytes: number,
  usage: { currentBytes?: number; rssBytes?: number; limitBytes?: number },
): boolean {
  if (usage.limitBytes === undefined) return false;
  const now = usage.currentBytes ?? usage.rssBytes ?? 0;
  return now + snapshotCost(heapUsedBytes).extraMemoryBytes > usage.limitBytes;
}

const busyClients = new WeakSet<CdpClient>();

/** Whether a capture is under way on this client. */
export function captureInProgress(client: CdpClient): boolean {
  return busyClients.has(client);
}

export async function captureHeapSnapshot(
  client: CdpClient,
  file: string,
  options: CaptureOptions = {},
): Promise<CaptureResult> {
  if (busyClients.has(client)) {
    throw new HeapscopeError(
      'usage',
      'A heap snapshot of this target is already being taken; wait for it to finish, then ask again.',
    );
  }
  if (options.signal?.aborted) throw new HeapscopeError('cancelled', 'Heap snapshot capture was cancelled.');
  busyClients.add(client);
  try {
    return await captureInto(client, file, options);
  } finally {
    busyClients.delete(client);
  }
}

async function fileExists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

async function captureInto(client: CdpClient, file: string, options: CaptureOptions): Promise<CaptureResult> {
  // Checked again when the file is linked to its name; this only spares a long capture for nothing.
  if (await fileExists(file)) throw fileError({ code: 'EEXIST' }, file, 0);
  const partial = `${file}.partial`;
  let handle: FileHandle;
  try {
    handle = await open(partial, 'wx', 0o600);
  } catch (error) {
    throw fileError(error, partial, 0);
  }
  const writer = new ChunkWriter(handle);
  let done: number | undefined;
  let total: number | undefined;
  let cancelled = false;
  const onChunk = (params: { chunk: string }) => {
    if (cancelled || writer.failed) return;
    writer.write(params.chunk);
    options.onProgress?.({ writtenBytes: writer.bytes, done, total });
  };
  const onProgress = (params: { done: number; total: number }) => {
    done = params.done;
    total = params.total;
    options.onProgress?.({ writtenBytes: writer.bytes, done, total });
  };
  client.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  client.on('HeapProfiler.reportHeapSnapshotProgress', onProgress);
  let onAbort: (() => void) | undefined;
  const abort = new Promise<never>((_, reject) => {
    onAbort = () => {
      cancelled = true;
      reject(new HeapscopeError('cancelled', 'Heap snapshot capture was cancelled.'));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  abort.catch(() => undefined);
  // A full disk fails the capture at once, not after V8 has finished serialising.
  const diskFailure = writer.failure.then((error) => Promise.reject(error));
  diskFailure.catch(() => undefined);
  const race = <T>(promise: Promise<T>) => Promise.race([promise, abort, diskFailure]);
  let pauseMs = 0;
  try {
    await race(client.send('HeapProfiler.enable'));
    if (options.forceGc) await race(client.send('HeapProfiler.collectGarbage'));
    const t0 = performance.now();
    await race(client.send('HeapProfiler.takeHeapSnapshot', { reportProgress: true }));
    pauseMs = performance.now() - t0;
    await race(writer.finish());
    if (writer.bytes === 0) throw new HeapscopeError('target-lost', 'The target sent no heap snapshot data.');
    try {
      await link(partial, file);
    } catch (error) {
      throw fileError(error, file, writer.landed);
    }
    await rm(partial, { force: true });
  } catch (error) {
    cancelled = true;
    await writer.abandon();
    await rm(partial, { force: true }).catch(() => undefined);
    if (error instanceof HeapscopeError) throw error;
    if (isFileError(error)) throw fileError(error, partial, writer.landed);
    throw new HeapscopeError('target-lost', `Heap snapshot capture failed: ${describeError(error)}`, {
      cause: error,
    });
  } finally {
    client.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
    client.off('HeapProfiler.reportHeapSnapshotProgress', onProgress);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
  return { file, bytes: writer.bytes, pauseMs: Math.round(pauseMs) };
}

/** Writes chunks in order, each after the previous one landed; the first error stops it. */
class ChunkWriter {
  /** Bytes received (queued). */
  bytes = 0;
  /** Bytes on disk. */
  landed = 0;
  failed: Error | undefined;
  readonly failure: Promise<Error>;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  private reportFailure: (error: Error) => void = () => undefined;

  constructor(private readonly handle: FileHandle) {
    this.failure = new Promise((resolve) => (this.reportFailure = resolve));
  }

  write(chunk: string): void {
    const data = Buffer.from(chunk, 'utf8');
    this.bytes += data.length;
    this.tail = this.tail.then(async () => {
      if (this.failed) return;
      try {
        let offset = 0;
        while (offset < data.length) {
          const { bytesWritten } = await this.handle.write(data, offset, data.length - offset);
          offset += bytesWritten;
          this.landed += bytesWritten;
        }
      } catch (error) {
        this.failed = error as Error;
        this.reportFailure(this.failed);
      }
    });
  }

  async finish(): Promise<void> {
    await this.tail;
    if (this.failed) throw this.failed;
    this.closed = true;
    await this.handle.close();
  }

  async abandon(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close().catch(() => undefined);
  }
}

function isFileError(error: unknown): error is NodeJS.ErrnoException {
  return typeof (error as NodeJS.ErrnoException)?.code === 'string' && 'syscall' in (error as object);
}

function fileError(error: unknown, file: string, writtenBytes: number): HeapscopeError {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') {
    const why =
      code === 'EFBIG'
        ? 'the file size limit was reached'
        : code === 'EDQUOT'
          ? 'the disk quota is used up'
          : 'the disk is full';
    return new HeapscopeError(
      'disk-full',
      `The heap snapshot could not be written: ${why} after ${(writtenBytes / 1048576).toFixed(1)} MiB ` +
        `(${file}). The partial file was removed; free some space or choose another folder. A snapshot ` +
        'file is larger than the heap it describes.',
      { cause: error },
    );
  }
  if (code === 'EEXIST') {
    return new HeapscopeError(
      'usage',
      `${file} already exists; heap snapshots never overwrite a file (or follow a link). Choose another name.`,
      { cause: error },
    );
  }
  return new HeapscopeError('usage', `Cannot write the heap snapshot to ${file}: ${describeError(error)}`, {
    cause: error,
  });
}
