// The webview's side of the explorer's request/response layer: each query gets an id, the host
// answers it (from the worker holding the graph), and the promise settles. Round trips are timed for
// the explorer bench (window.heapscopeExplorer.timings).
import type {
  ExplorerAnswer,
  ExplorerHostMessage,
  ExplorerIntent,
  ExplorerQuery,
} from '../../src/shared/explorerProtocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface QueryTiming {
  kind: string;
  /** Time in the worker and host, as the host measured it. */
  hostMs: number;
  /** Of hostMs, the query itself in the worker (the rest: the host's hops to the worker and back). */
  workerMs?: number;
  /** From the request leaving this page to its answer arriving. */
  roundTripMs: number;
  /** From the request leaving this page to the host receiving it (clocks of two processes). */
  toHostMs: number;
  /** From the host posting the answer to its arrival here. */
  fromHostMs: number;
  startedAt: number;
}

let api: VsCodeApi | undefined;
function vscode(): VsCodeApi {
  api ??=
    typeof acquireVsCodeApi === 'function'
      ? acquireVsCodeApi()
      : {
          postMessage: (message) =>
            ((window as unknown as { __explorerIntents: unknown[] }).__explorerIntents ??= []).push(message),
        };
  return api;
}

export function send(intent: ExplorerIntent): void {
  vscode().postMessage(intent);
}

let nextId = 1;
const pending = new Map<
  number,
  { resolve: (v: unknown) => void; reject: (e: Error) => void; kind: string; t0: number }
>();
export const timings: QueryTiming[] = [];

export function ask<Q extends ExplorerQuery>(query: Q): Promise<ExplorerAnswer<Q>> {
  const id = nextId++;
  return new Promise<ExplorerAnswer<Q>>((resolve, reject) => {
    pending.set(id, {
      resolve: resolve as (v: unknown) => void,
      reject,
      kind: query.kind,
      t0: performance.now(),
    });
    send({ type: 'query', id, query });
  });
}

/** Asks the host for earlier snapshots to compare with (its file dialog); [] when none was picked. */
export function pickBaseline(): Promise<string[]> {
  const id = nextId++;
  return new Promise<string[]>((resolve, reject) => {
    pending.set(id, {
      resolve: resolve as (v: unknown) => void,
      reject,
      kind: 'pick',
      t0: performance.now(),
    });
    send({ type: 'pickBaseline', id });
  });
}

/** Settles the query a host message answers; false for messages that answer none. */
export function settle(message: ExplorerHostMessage): boolean {
  if (message.type !== 'answer' && message.type !== 'failed' && message.type !== 'picked') return false;
  const waiter = pending.get(message.id);
  if (!waiter) return true;
  pending.delete(message.id);
  if (message.type === 'picked') waiter.resolve(message.files);
  else if (message.type === 'answer') {
    const now = performance.now();
    timings.push({
      kind: waiter.kind,
      hostMs: message.ms,
      ...(message.workerMs !== undefined ? { workerMs: message.workerMs } : {}),
      roundTripMs: now - waiter.t0,
      toHostMs: message.receivedAt - (performance.timeOrigin + waiter.t0),
      fromHostMs: performance.timeOrigin + now - message.answeredAt,
      startedAt: waiter.t0,
    });
    if (timings.length > 1000) timings.splice(0, timings.length - 1000);
    waiter.resolve(message.answer);
  } else waiter.reject(new Error(message.message));
  return true;
}
