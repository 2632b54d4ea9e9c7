// The `heapscope` debug type: a launch.json entry ("Memory: api server") that starts a memory session,
// so it runs with F5, sits in compounds, and stops from the debug toolbar. Built on @vscode/debugadapter
// and run inline in the extension host (vscode.DebugAdapterInlineImplementation). It debugs nothing:
// no breakpoints, no threads; the session's life is the memory session's life. No `vscode` import, so
// integration tests speak DAP to it directly.
import { DebugSession, InitializedEvent, OutputEvent, TerminatedEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { describeError } from '../core/errors';
import type { MemorySessionApi, TargetSpec } from '../core/session/api';
import { targetFromDebugConfig, type HeapscopeLaunchConfig } from './debugConfig';

/** What the adapter asks of the extension: start a memory session for this debug session, stop it. */
export interface MemorySessionHost {
  startForDebugSession(request: {
    target: TargetSpec;
    name: string;
    debugSessionId: string;
    config: HeapscopeLaunchConfig;
  }): Promise<MemorySessionApi>;
  stop(sessionId: string, reason: string): Promise<void>;
}

const ENDED_STATES = new Set(['stopped', 'target-exited', 'error']);

export class HeapscopeDebugAdapter extends DebugSession {
  private session: MemorySessionApi | undefined;
  private terminated = false;

  constructor(
    private readonly host: MemorySessionHost,
    private readonly debugSessionId: string,
    private readonly folder: string | undefined,
  ) {
    super();
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsTerminateRequest: true,
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override launchRequest(
    response: DebugProtocol.LaunchResponse,
    args: DebugProtocol.LaunchRequestArguments,
  ): void {
    void this.startFrom(response, { ...(args as HeapscopeLaunchConfig), request: 'launch' });
  }

  protected override attachRequest(
    response: DebugProtocol.AttachResponse,
    args: DebugProtocol.AttachRequestArguments,
  ): void {
    void this.startFrom(response, { ...(args as HeapscopeLaunchConfig), request: 'attach' });
  }

  private async startFrom(response: DebugProtocol.Response, config: HeapscopeLaunchConfig): Promise<void> {
    try {
      const target = targetFromDebugConfig(config, config.cwd ?? this.folder);
      const name = config.name ?? 'Memory';
      this.output(`Heapscope: starting memory session "${name}"…\n`);
      const session = await this.host.startForDebugSession({
        target,
        name,
        debugSessionId: this.debugSessionId,
        config,
      });
      this.session = session;
      session.on('status', (status) => {
        if (status.message) this.output(`Heapscope: ${status.state}: ${status.message}\n`);
        if (ENDED_STATES.has(status.state)) this.end();
      });
      session.on('log', (line) => this.output(`${line}\n`));
      this.output(
        `Heapscope: observing ${session.target.title ?? session.target.inspectorUrl ?? name}. The chart is in the Heapscope view (Run and Debug side bar).\n`,
      );
      this.sendResponse(response);
      // The target may have gone while we were wiring listeners.
      if (ENDED_STATES.has(session.status.state)) this.end();
    } catch (error) {
      this.sendErrorResponse(response, { id: 1001, format: describeError(error), showUser: true });
      this.end();
    }
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [] };
    this.sendResponse(response);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    void this.stopSession('stopped from the debug toolbar').finally(() => this.sendResponse(response));
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    void this.stopSession('stopped from the debug toolbar').finally(() => {
      this.sendResponse(response);
      this.end();
    });
  }

  private async stopSession(reason: string): Promise<void> {
    const session = this.session;
    if (!session || ENDED_STATES.has(session.status.state)) return;
    try {
      await this.host.stop(session.id, reason);
    } catch (error) {
      this.output(`Heapscope: stopping failed: ${describeError(error)}\n`);
    }
  }

  private output(text: string): void {
    this.sendEvent(new OutputEvent(text, 'console'));
  }

  private end(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.sendEvent(new TerminatedEvent());
  }
}
