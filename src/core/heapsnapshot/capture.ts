// Takes a heap snapshot over CDP, streaming each chunk to disk as it arrives (never one giant
// string), with progress and cancellation. The file is V8's own serialization, unchanged, so it
// opens in Chrome DevTools. Written to `<file>.partial` and renamed at the end: a cancelled or
// failed capture never leaves a half file under the requested name.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import CDP from 'chrome-remote-interface';
import { HeapscopeError } from '../errors';
import type { SnapshotProgress } from '../session/api';

/** The part of a chrome-remote-interface client the capture uses (it is an EventEmitter at runtime). */
interface CdpEmitter {
  send(method: string, params?: object): Promise<unknown>;
  on(event: string, listener: (params: never) => void): unknown;
  removeListener?(event: string, listener: (params: never) => void): unknown;
}

/** A chrome-remote-interface client (or js-debug's CDP proxy client). */
export type CdpLike = CDP.Client;

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

export async function captureHeapSnapshot(
  cdp: CdpLike,
  file: string,
  options: CaptureOptions = {},
): Promise<CaptureResult> {
  const client = cdp as unknown as CdpEmitter;
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  let bytes = 0;
  let failed: Error | undefined;
  let cancelled = false;
  let done: number | undefined;
  let total: number | undefined;
  out.on('error', (error) => (failed = error));
  const onChunk = (params: { chunk: string }) => {
    if (cancelled || failed) return;
    bytes += Buffer.byteLength(params.chunk);
    out.write(params.chunk);
    options.onProgress?.({ writtenBytes: bytes, done, total });
  };
  const onProgress = (params: { done: number; total: number }) => {
    done = params.done;
    total = params.total;
    options.onProgress?.({ writtenBytes: bytes, done, total });
  };
  const unsubscribe: Array<() => void> = [];
  const listen = (event: string, listener: (params: never) => void) => {
    const off = client.on(event, listener);
    unsubscribe.push(
      typeof off === 'function' ? (off as () => void) : () => client.removeListener?.(event, listener),
    );
  };
  listen('HeapProfiler.addHeapSnapshotChunk', onChunk as (params: never) => void);
  listen('HeapProfiler.reportHeapSnapshotProgress', onProgress as (params: never) => void);
  const abort = new Promise<never>((_, reject) => {
    const onAbort = () => {
      cancelled = true;
      reject(new HeapscopeError('cancelled', 'Heap snapshot capture was cancelled.'));
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  abort.catch(() => undefined);
  let pauseMs = 0;
  try {
    await Promise.race([client.send('HeapProfiler.enable'), abort]);
    if (options.forceGc) await Promise.race([client.send('HeapProfiler.collectGarbage'), abort]);
    const t0 = performance.now();
    await Promise.race([client.send('HeapProfiler.takeHeapSnapshot', { reportProgress: true }), abort]);
    pauseMs = performance.now() - t0;
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    if (failed) throw failed;
    if (bytes === 0) throw new HeapscopeError('target-lost', 'The target sent no heap snapshot data.');
    await rename(partial, file);
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    if (error instanceof HeapscopeError) throw error;
    const message = (error as Error).message ?? String(error);
    throw new HeapscopeError('target-lost', `Heap snapshot capture failed: ${message}`, { cause: error });
  } finally {
    for (const off of unsubscribe) off();
  }
  return { file, bytes, pauseMs: Math.round(pauseMs) };
}

export interface InspectorConnection {
  client: CDP.Client;
  url: string;
  close(): Promise<void>;
}

/** Opens a CDP client for a ws:// URL, host:port, or port (on 127.0.0.1). */
export async function connectInspector(
  address: string,
  warn?: (message: string) => void,
): Promise<InspectorConnection> {
  let url: string;
  let host: string;
  if (/^wss?:\/\//.test(address)) {
    url = address;
    host = new URL(address).hostname;
  } else {
    const match = /^(?:(.+):)?(\d+)$/.exec(address.trim());
    if (!match)
      throw new HeapscopeError(
        'usage',
        `Cannot read inspector address "${address}": give a ws:// URL, host:port or a port.`,
      );
    host = match[1] ?? '127.0.0.1';
    const port = Number(match[2]);
    let targets: Array<{ webSocketDebuggerUrl?: string; type?: string }>;
    try {
      const response = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}/json/list`, {
        signal: AbortSignal.timeout(5000),
      });
      targets = (await response.json()) as typeof targets;
    } catch (error) {
      throw new HeapscopeError(
        'target-unreachable',
        `No inspector answers at ${host}:${port} (${(error as Error).message}). Start the process with --inspect=127.0.0.1:${port}.`,
        { cause: error },
      );
    }
    const target =
      targets.find((t) => t.webSocketDebuggerUrl && (t.type === 'node' || !t.type)) ??
      targets.find((t) => t.webSocketDebuggerUrl);
    if (!target?.webSocketDebuggerUrl)
      throw new HeapscopeError(
        'target-not-node',
        `The inspector at ${host}:${port} lists no debuggable target.`,
      );
    url = target.webSocketDebuggerUrl;
  }
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host))
    warn?.(
      `WARNING: ${host} is not loopback. The inspector gives full code execution to anyone who can reach it; keep it on 127.0.0.1.`,
    );
  let client: CDP.Client;
  try {
    client = await CDP({ target: url, local: true });
  } catch (error) {
    throw new HeapscopeError(
      'target-unreachable',
      `Cannot connect to the inspector at ${url}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return { client, url, close: () => client.close() };
}
