// A fake of the typed CDP client for unit tests of the session's parts: each method answers from a
// handler the test sets (or rejects when none is set, as an inspector does for an unknown method);
// events are emitted by the test. Calls are kept in order for assertions.
import { EventEmitter } from 'node:events';
import type {
  CdpClient,
  CdpEvent,
  CdpEventListener,
  CdpMethod,
  CdpParams,
  CdpReply,
} from '../../../src/core/inspector/cdp';

type Handler<M extends CdpMethod> = (params: CdpParams<M>[0]) => CdpReply<M> | Promise<CdpReply<M>>;

export class FakeCdp implements CdpClient {
  readonly calls: Array<{ method: CdpMethod; params: unknown }> = [];
  closed = false;
  private readonly events = new EventEmitter();
  private readonly handlers = new Map<CdpMethod, (params: unknown) => unknown>();

  answer<M extends CdpMethod>(method: M, handler: Handler<M>): this {
    this.handlers.set(method, (params) => handler(params as CdpParams<M>[0]));
    return this;
  }

  /** The method never answers (a frozen target). */
  hang(method: CdpMethod): this {
    this.handlers.set(method, () => new Promise(() => undefined));
    return this;
  }

  send<M extends CdpMethod>(method: M, ...params: CdpParams<M>): Promise<CdpReply<M>> {
    this.calls.push({ method, params: params[0] });
    const handler = this.handlers.get(method);
    if (!handler) return Promise.reject(new Error(`'${method}' wasn't found`));
    try {
      return Promise.resolve(handler(params[0]) as CdpReply<M>);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  on<E extends CdpEvent>(event: E, listener: CdpEventListener<E>): void {
    this.events.on(event, listener);
  }

  off<E extends CdpEvent>(event: E, listener: CdpEventListener<E>): void {
    this.events.off(event, listener);
  }

  onDisconnect(listener: () => void): void {
    this.events.on('disconnect', listener);
  }

  emit<E extends CdpEvent>(event: E, ...params: Parameters<CdpEventListener<E>>): void {
    this.events.emit(event, ...params);
  }

  listenerCount(event: CdpEvent): number {
    return this.events.listenerCount(event);
  }

  disconnect(): void {
    this.events.emit('disconnect');
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  methods(): CdpMethod[] {
    return this.calls.map((c) => c.method);
  }
}
