// Follows Node debug sessions: when js-debug starts a concrete (child) session for a Node target, a
// memory session attaches through js-debug's own CDP proxy (no second inspector port), and stops with
// the debug session. Also watches js-debug's DAP events for its own profiles, which share V8's one
// sampling heap profiler with Heapscope.
import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import type { SessionController } from './controller';
import {
  cdpProxyUrl,
  debugSessionLabel,
  isNodeDebugType,
  jsDebugProfileEnded,
  jsDebugProfileMessage,
  NODE_DEBUG_TYPES,
  ownsNodeTarget,
  type DebugSessionLike,
} from './debugSessions';

const REQUEST_CDP_PROXY = 'extension.js-debug.requestCDPProxy';

export class DebugFollower implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Concrete Node debug sessions seen in this window (VS Code has no API listing them all). */
  private readonly known = new Map<string, vscode.DebugSession>();
  private readonly pending = new Set<string>();

  constructor(private readonly controller: SessionController) {
    this.disposables.push(
      vscode.debug.onDidStartDebugSession((s) => this.onStart(s)),
      vscode.debug.onDidTerminateDebugSession((s) => this.onEnd(s)),
    );
    const tracker: vscode.DebugAdapterTrackerFactory = {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (message: { type?: string; event?: string; body?: unknown }) => {
          if (message.type !== 'event') return;
          const text = jsDebugProfileMessage(message);
          const entry = this.controller.registry.byDebugSession(session.id);
          if (text) {
            this.controller.output.warn(`[${session.name}] ${text}`);
            if (entry) {
              this.controller.notice('warning', text);
              void vscode.window.showInformationMessage(`Heapscope: ${text}`);
            }
          } else if (jsDebugProfileEnded(message) && entry) {
            this.controller.output.info(`[${session.name}] js-debug's profile ended.`);
            this.controller.notice(
              'info',
              "js-debug's profile ended; Heapscope's allocation sampling continues.",
            );
          }
        },
      }),
    };
    for (const type of NODE_DEBUG_TYPES) {
      this.disposables.push(vscode.debug.registerDebugAdapterTrackerFactory(type, tracker));
    }
    // A session that started before activation (activation happens on onDebugResolve, so rarely).
    const active = vscode.debug.activeDebugSession;
    if (active) this.onStart(active);
  }

  /** Concrete Node debug sessions running now, for the "Start memory session" quick pick. */
  get nodeSessions(): vscode.DebugSession[] {
    return [...this.known.values()];
  }

  private onStart(session: vscode.DebugSession): void {
    if (!ownsNodeTarget(session as DebugSessionLike)) return;
    this.known.set(session.id, session);
    if (!this.controller.settings().autoFollowDebugSessions) return;
    void this.follow(session, false);
  }

  /** Starts a memory session on a debug session through js-debug's CDP proxy. */
  async follow(session: vscode.DebugSession, manual: boolean): Promise<void> {
    if (this.controller.registry.byDebugSession(session.id) || this.pending.has(session.id)) return;
    this.pending.add(session.id);
    const name = debugSessionLabel(session as DebugSessionLike);
    try {
      const proxy = await this.requestProxy(session);
      this.controller.output.info(
        `[${name}] js-debug CDP proxy at ${proxy.host}:${proxy.port} (session ${session.id})`,
      );
      if (!this.known.has(session.id) && !manual) return; // ended while we waited
      await this.controller.start({
        target: {
          kind: 'cdp',
          options: { target: cdpProxyUrl(proxy), local: true },
          shared: true,
          title: name,
        },
        name,
        origin: 'debug',
        debugSessionId: session.id,
        progress: manual,
      });
      // The Run and Debug side bar is open while debugging; make sure our view is there too.
      if (!manual) void vscode.commands.executeCommand('heapscope.debugView.focus', { preserveFocus: true });
    } catch (error) {
      const message = `Heapscope could not follow debug session "${name}": ${describeError(error)}`;
      this.controller.output.error(message);
      if (manual) void vscode.window.showErrorMessage(message);
    } finally {
      this.pending.delete(session.id);
    }
  }

  /**
   * js-debug answers only once the session's target is connected; the child session starts a moment
   * before that, so ask a few times before giving up.
   */
  private async requestProxy(
    session: vscode.DebugSession,
  ): Promise<{ host: string; port: number; path: string }> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        const proxy = await vscode.commands.executeCommand<
          { host: string; port: number; path: string } | undefined
        >(REQUEST_CDP_PROXY, session.id);
        if (proxy?.port) return proxy;
        lastError = new Error('js-debug returned no proxy address');
      } catch (error) {
        lastError = error;
      }
      if (!this.known.has(session.id)) break;
      await new Promise((resolve) => setTimeout(resolve, 300 + attempt * 200));
    }
    throw new Error(
      `js-debug's CDP proxy is not available (${describeError(lastError)}). Is the built-in JavaScript debugger (ms-vscode.js-debug) enabled?`,
    );
  }

  private onEnd(session: vscode.DebugSession): void {
    this.known.delete(session.id);
    const entry = this.controller.registry.byDebugSession(session.id);
    if (entry && (isNodeDebugType(session.type) || session.type === 'heapscope')) {
      void this.controller.stop(entry.id, `debug session "${session.name}" ended`);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
