// A pod's port-forward can drop and come back: when the inspector connection of a pod target
// closes, wait for the forward, open a new client and let the session put its domains back. One
// reconnect at a time; a session that stopped meanwhile gets nothing back (the late client is closed).
import { describeError } from '../errors';
import type { CdpClient } from '../inspector/cdp';

export interface ReconnectHooks {
  /** Waits for the transport and opens a new client; rejects once it gave up. */
  reopen(): Promise<CdpClient>;
  /** Puts the session's listeners and domains back on the new client. */
  restore(client: CdpClient): Promise<void>;
  /** The session stopped or ended meanwhile. */
  isOver(): boolean;
  /** The transport gave up: the target is gone for this session. */
  gone(message: string): void;
  log(line: string): void;
}

export class PodReconnector {
  private running: Promise<void> | undefined;

  constructor(private readonly hooks: ReconnectHooks) {}

  get active(): boolean {
    return this.running !== undefined;
  }

  /** Starts a reconnect unless one runs; resolves when it is over either way. */
  reconnect(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<void> {
    let client: CdpClient;
    try {
      client = await this.hooks.reopen();
    } catch (error) {
      if (!this.hooks.isOver())
        this.hooks.gone(
          `The inspector connection through the port-forward was lost and could not be reopened: ${describeError(error)}`,
        );
      return;
    }
    if (this.hooks.isOver()) {
      await client.close();
      return;
    }
    try {
      await this.hooks.restore(client);
    } catch (error) {
      this.hooks.log(`heapscope: restoring the inspector domains failed: ${describeError(error)}`);
    }
    this.hooks.log('heapscope: inspector reattached through the reopened port-forward.');
  }
}
