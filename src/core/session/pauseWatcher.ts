// Knows whether a debugger holds the target paused. It listens to the Debugger domain (with its
// breakpoints off: our session must never stop the program itself) and, once a pause is seen, lets
// go of the domain and waits on a probe that settles only when the target's event loop turns again.
import { describeError } from '../errors';
import type { CdpClient } from '../inspector/cdp';

/** Fixed probe: resolves only once the target's event loop turns again (i.e. it is no longer paused). */
export const RESUME_PROBE_EXPRESSION = 'new Promise((resolve) => setImmediate(() => resolve(1)))';
const RESUME_PROBE_RETRY_MS = 1000;

export interface PauseWatcherEvents {
  paused(): void;
  resumed(): void;
  log(line: string): void;
}

export class PauseWatcher {
  private pausedNow = false;
  private debuggerOn = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  /**
   * `shared`: the connection is the debugger's own (js-debug's proxy); its Debugger domain and
   * breakpoint setting belong to the debugger and are never touched.
   */
  constructor(
    private client: CdpClient,
    private readonly shared: boolean,
    private readonly events: PauseWatcherEvents,
    /**
     * Leave the Debugger domain off (pauses then go unseen): Node skips, or remotely crashes in, the
     * near-heap-limit snapshot while it is on (Node 20.20), so a session armed for it keeps it off.
     */
    private keepDebuggerOff = false,
  ) {}

  /**
   * Turns the Debugger domain off for good (a session armed for the near-heap-limit snapshot after
   * it started); pauses then go unseen. A shared connection's domain is the debugger's: untouched.
   */
  async keepOff(): Promise<void> {
    this.keepDebuggerOff = true;
    if (this.shared || !this.debuggerOn) return;
    this.debuggerOn = false;
    await this.client.send('Debugger.disable').catch(() => undefined);
  }

  get paused(): boolean {
    return this.pausedNow;
  }

  /** Whether Debugger.getScriptSource can be asked (the domain is on in this connection). */
  get debuggerEnabled(): boolean {
    return this.debuggerOn;
  }

  /** Listens on `client` (again, after a reconnect) and turns the Debugger domain on. */
  async attach(client: CdpClient): Promise<void> {
    this.client = client;
    this.debuggerOn = false;
    client.on('Debugger.paused', (params) => {
      if (client !== this.client) return;
      // An instrumentation pause is the debugger's own stop before a script runs (js-debug sets
      // breakpoints there while the program starts) and it resumes at once: not a pause to show, and
      // a probe sent into it may never settle. Only a session sharing the debugger's own CDP session
      // (js-debug's proxy) sees this reason; a separate inspector session sees 'other'.
      if (params.reason === 'instrumentation') return;
      this.onPaused();
    });
    client.on('Debugger.resumed', () => {
      if (client === this.client) this.onResumed();
    });
    if (!this.pausedNow && !this.keepDebuggerOff) await this.enableDebugger();
  }

  /** Something proved the event loop turns (a GC batch from the target): the pause is over. */
  sawActivity(): void {
    if (this.pausedNow) this.onResumed();
  }

  /** Stops probing; the pause state is kept for the report. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
  }

  private async enableDebugger(): Promise<void> {
    try {
      await this.client.send('Debugger.enable', {});
      this.debuggerOn = true;
      // A `debugger;` statement would stop the program while our Debugger domain is on; only a real
      // debugger's pauses are wanted. In a shared connection the debugger's own setting rules.
      if (!this.shared) await this.client.send('Debugger.setBreakpointsActive', { active: false });
    } catch (error) {
      this.events.log(`heapscope: pauses cannot be seen (Debugger domain: ${describeError(error)}).`);
    }
  }

  private onPaused(): void {
    if (this.pausedNow || this.disposed) return;
    this.pausedNow = true;
    this.events.paused();
    // While our session has the Debugger domain on, V8 keeps the program paused even after the
    // pausing client goes away; with it off, V8 resumes then, and Debugger.resumed no longer reaches
    // us. So: let go of the domain (unless it is shared with the debugger itself) and wait on a probe.
    if (!this.shared && this.debuggerOn) {
      this.debuggerOn = false;
      this.client.send('Debugger.disable').catch(() => undefined);
    }
    this.probeForResume();
  }

  /**
   * Settles when the target's event loop turns again. A probe can be turned down (a debugger that
   * holds the program before its main context exists, as js-debug does at start, answers with an
   * error): then ask again a moment later, for as long as the pause lasts.
   */
  private probeForResume(): void {
    if (!this.pausedNow || this.disposed) return;
    const client = this.client;
    client
      .send('Runtime.evaluate', {
        expression: RESUME_PROBE_EXPRESSION,
        awaitPromise: true,
        returnByValue: true,
      })
      .then(
        (reply) => {
          if (client !== this.client) return;
          if (reply.exceptionDetails) this.retryProbe('the probe threw');
          else this.onResumed();
        },
        (error: unknown) => {
          if (client === this.client) this.retryProbe(describeError(error));
        },
      );
  }

  private retryProbe(why: string): void {
    if (!this.pausedNow || this.disposed) return;
    this.events.log(`heapscope: waiting for the target to continue (${why}); asking again.`);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.probeForResume(), RESUME_PROBE_RETRY_MS);
    this.retryTimer.unref?.();
  }

  private onResumed(): void {
    if (!this.pausedNow) return;
    this.pausedNow = false;
    clearTimeout(this.retryTimer);
    if (this.disposed) return;
    this.events.resumed();
    if (!this.debuggerOn && !this.shared) void this.enableDebugger();
  }
}
