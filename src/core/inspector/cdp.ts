// The one CDP client type of the engine: commands and events typed from devtools-protocol's
// ProtocolMapping, so a method name, its parameters and its reply are checked together. Every part
// that speaks CDP (the session's parts, snapshot capture, pid waking, pods, js-debug's proxy) takes
// this type; unit tests hand them a fake that implements it.
import CDP from 'chrome-remote-interface';
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping';
import { HeapscopeError, describeError } from '../errors';
import type { NodeWorkerCommands, NodeWorkerEvents } from './nodeWorker';

/** js-debug's CDP proxy adds a domain of its own; a plain inspector answers it with an error. */
interface JsDebugCommands {
  'JsDebug.subscribe': { paramsType: [{ events: string[] }]; returnType: Record<string, never> };
}

export type CdpCommands = ProtocolMapping.Commands & JsDebugCommands & NodeWorkerCommands;
export type CdpMethod = keyof CdpCommands;
export type CdpParams<M extends CdpMethod> = CdpCommands[M]['paramsType'];
export type CdpReply<M extends CdpMethod> = CdpCommands[M]['returnType'];
export type CdpEvents = ProtocolMapping.Events & NodeWorkerEvents;
export type CdpEvent = keyof CdpEvents;
export type CdpEventListener<E extends CdpEvent> = (...params: CdpEvents[E]) => void;

export interface CdpClient {
  send<M extends CdpMethod>(method: M, ...params: CdpParams<M>): Promise<CdpReply<M>>;
  on<E extends CdpEvent>(event: E, listener: CdpEventListener<E>): void;
  off<E extends CdpEvent>(event: E, listener: CdpEventListener<E>): void;
  /** The connection closed (the target exited, or dropped us). */
  onDisconnect(listener: () => void): void;
  /** Closes the connection; bounded, and the socket is torn down when the far end does not answer. */
  close(): Promise<void>;
}

/** How long a close handshake may take before the socket is simply dropped (a frozen target never answers). */
const CLOSE_TIMEOUT_MS = 500;

/** Opens a client on an inspector WebSocket URL (or with options passed through as they are). */
export async function openCdpClient(options: {
  target: string;
  local?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}): Promise<CdpClient> {
  let raw: CDP.Client;
  try {
    // local: use the protocol descriptor bundled with chrome-remote-interface instead of asking the
    // target for /json/protocol (Node does not serve it over every transport, e.g. js-debug's proxy).
    const opening = CDP({ target: options.target, local: options.local ?? true });
    raw = await bounded(
      opening,
      options.timeoutMs ?? 10_000,
      options.signal,
      (late) => void late.then((client) => client.close()).catch(() => undefined),
    );
  } catch (error) {
    if (error instanceof HeapscopeError && error.code === 'cancelled') throw error;
    throw new HeapscopeError(
      'target-unreachable',
      `Cannot connect to the inspector at ${options.target}: ${describeError(error)}. ` +
        'Check that the process is running with --inspect and that the address is right.',
      { cause: error },
    );
  }
  return wrapClient(raw);
}

/**
 * chrome-remote-interface's client as it is at runtime (an EventEmitter with a string-keyed send);
 * its published type knows neither removeListener nor the socket. Checked, not cast.
 */
interface UntypedClient {
  send(method: string, params?: object): Promise<unknown>;
  on(event: string, listener: AnyListener): unknown;
  removeListener(event: string, listener: AnyListener): unknown;
  close(): Promise<void>;
  _ws?: { terminate(): void };
}

/** Any listener: a method signature's parameters are compared both ways, so typed listeners fit. */
type AnyListener = { listener(...args: unknown[]): void }['listener'];

function isUntypedClient(value: object): value is UntypedClient {
  const candidate: Partial<Record<keyof UntypedClient, unknown>> = value;
  return (
    typeof candidate.send === 'function' &&
    typeof candidate.on === 'function' &&
    typeof candidate.removeListener === 'function' &&
    typeof candidate.close === 'function'
  );
}

/** Wraps a chrome-remote-interface client (or anything shaped like one) as the typed client. */
export function wrapClient(client: object): CdpClient {
  if (!isUntypedClient(client)) throw new HeapscopeError('internal', 'Not a CDP client.');
  const raw = client;
  return {
    // The one place where the wire's JSON becomes the protocol's types.
    send: <M extends CdpMethod>(method: M, ...params: CdpParams<M>) =>
      raw.send(method, params[0]) as Promise<CdpReply<M>>,
    on: (event, listener) => void raw.on(event, listener),
    off: (event, listener) => void raw.removeListener(event, listener),
    onDisconnect: (listener) => void raw.on('disconnect', listener),
    close: async () => {
      const closing = raw.close().catch(() => undefined);
      const timer = new Promise<'late'>((resolve) =>
        setTimeout(() => resolve('late'), CLOSE_TIMEOUT_MS).unref(),
      );
      if ((await Promise.race([closing, timer])) === 'late') raw._ws?.terminate();
    },
  };
}

/**
 * Races `promise` against a deadline and an abort signal. What settles late is handed to `onLate`
 * (to close a connection that opened after the caller gave up).
 */
export function bounded<T>(
  promise: Promise<T>,
  timeoutMs: number,
  signal?: AbortSignal,
  onLate?: (late: Promise<T>) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const giveUp = (error: HeapscopeError) =>
      finish(() => {
        onLate?.(promise);
        reject(error);
      });
    const onAbort = () => giveUp(new HeapscopeError('cancelled', 'Cancelled.'));
    const timer = setTimeout(
      () => giveUp(new HeapscopeError('target-lost', `The inspector did not answer within ${timeoutMs} ms.`)),
      timeoutMs,
    );
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}
