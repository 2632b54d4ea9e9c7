// One entry point from a TargetSpec to an open CDP client, whatever the kind of target, with what
// must be undone at the end (a launched process, a port-forward) and the warnings a face must show.
import { connectToPod, readContainerMemory, type ContainerMemory, type PodConnectionEvent } from '../k8s';
import type { TargetSpec } from '../session/api';
import { describeError } from '../errors';
import type { TargetInfo } from '../types';
import { loopbackWarning, resolveInspector } from './address';
import { openCdpClient, type CdpClient } from './cdp';
import { launchWithInspector, type LaunchedProcess } from './launch';
import { wakeInspector } from './pid';

export interface TargetConnection {
  client: CdpClient;
  info: TargetInfo;
  /** Another client owns the domains (js-debug): never disable one, tolerate those in use. */
  shared: boolean;
  warnings: string[];
  /** Set for launched targets. */
  launched?: LaunchedProcess;
  /**
   * Set for targets whose transport can come back (a pod's port-forward): waits for it to be up again
   * and opens a new client on it. Rejects (k8s-port-forward) once the transport gave up.
   */
  reopen?: () => Promise<CdpClient>;
  /** Set for pod targets: the container's memory limit and use, from its cgroup. */
  containerMemory?: () => Promise<ContainerMemory>;
  /**
   * Closes the client, stops a launched process, tears a port-forward down. Idempotent and bounded:
   * a launched process gets `graceMs` (default 1000) to go on SIGTERM, then SIGKILL.
   */
  dispose(graceMs?: number): Promise<void>;
}

/** How long a launched target may take to exit on SIGTERM when a session stops. */
export const STOP_GRACE_MS = 1000;

export interface ConnectOptions {
  log?: (line: string) => void;
  /** Output of a launched target, line by line. */
  onTargetOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  signal?: AbortSignal;
  /** A pod's port-forward dropped, came back or gave up (k8s targets). */
  onPodEvent?: (event: PodConnectionEvent) => void;
  /** A launched target exists (before its inspector answers): how to kill it at once. */
  onSpawn?: (kill: () => void) => void;
}

/** Opening a client on a forward that is itself still settling fails now and then: try a few times. */
const REOPEN_TRIES = 6;

export async function connectTarget(
  spec: TargetSpec,
  options: ConnectOptions = {},
): Promise<TargetConnection> {
  const warnings: string[] = [];
  const warn = (message: string | undefined) => {
    if (!message) return;
    warnings.push(message);
    options.log?.(message);
  };
  switch (spec.kind) {
    case 'attach': {
      const resolved = await resolveInspector(spec.address);
      warn(resolved.warning);
      const client = await openCdpClient({ target: resolved.webSocketDebuggerUrl, signal: options.signal });
      return simple(
        client,
        { kind: 'attach', inspectorUrl: resolved.webSocketDebuggerUrl, title: resolved.title },
        warnings,
      );
    }
    case 'pid': {
      const woken = await wakeInspector(spec.pid, { port: spec.port });
      for (const action of woken.actions) options.log?.(`heapscope: ${action}`);
      const client = await openCdpClient({ target: woken.webSocketDebuggerUrl, signal: options.signal });
      return simple(
        client,
        { kind: 'pid', pid: spec.pid, inspectorUrl: woken.webSocketDebuggerUrl, title: woken.title },
        warnings,
      );
    }
    case 'launch': {
      const launched = await launchWithInspector(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        onOutput: options.onTargetOutput,
        signal: options.signal,
        onSpawn: options.onSpawn,
      });
      let client: CdpClient;
      try {
        client = await openCdpClient({ target: launched.inspectorUrl, signal: options.signal });
      } catch (error) {
        await launched.stop(STOP_GRACE_MS);
        throw error;
      }
      const connection = simple(
        client,
        {
          kind: 'launch',
          pid: launched.pid,
          inspectorUrl: launched.inspectorUrl,
          command: [spec.command, ...spec.args],
        },
        warnings,
      );
      const closeClient = connection.dispose;
      let disposing: Promise<void> | undefined;
      // Close the client first: a program that exits on SIGTERM by itself would otherwise wait for
      // the debugger to disconnect.
      connection.dispose = (graceMs = STOP_GRACE_MS) =>
        (disposing ??= closeClient().then(() => launched.stop(graceMs)));
      connection.launched = launched;
      return connection;
    }
    case 'cdp': {
      let host: string | undefined;
      try {
        host = new URL(spec.options.target).hostname;
      } catch {
        host = undefined;
      }
      if (host) warn(loopbackWarning(host));
      const client = await openCdpClient({ ...spec.options, signal: options.signal });
      if (spec.shared) await subscribeToProxyEvents(client, options.log);
      return {
        ...simple(
          client,
          { kind: 'debug-session', inspectorUrl: spec.options.target, title: spec.title },
          warnings,
        ),
        shared: spec.shared ?? false,
      };
    }
    case 'k8s': {
      const pod = await connectToPod(
        {
          namespace: spec.namespace,
          pod: spec.pod,
          container: spec.container,
          context: spec.context,
          kubeconfig: spec.kubeconfig,
        },
        { log: options.log, signal: options.signal, onEvent: options.onPodEvent },
      );
      for (const action of pod.actions) options.log?.(`heapscope: ${action}`);
      let client: CdpClient;
      try {
        client = await openCdpClient({ target: pod.inspectorUrl, signal: options.signal });
      } catch (error) {
        await pod.dispose();
        throw error;
      }
      const connection = simple(
        client,
        {
          kind: 'k8s',
          inspectorUrl: pod.inspectorUrl,
          pod: pod.pod,
          ...(pod.pid !== undefined ? { pid: pod.pid } : {}),
          ...(pod.command ? { command: pod.command } : {}),
        },
        warnings,
      );
      connection.containerMemory = () =>
        readContainerMemory(pod.pod, { context: spec.context, kubeconfig: spec.kubeconfig });
      let current = client;
      connection.reopen = async () => {
        let lastError: unknown;
        for (let i = 0; i < REOPEN_TRIES; i++) {
          // Resolves at once while kubectl still listens; waits through its reopen otherwise, and
          // rejects for good once it gave up.
          const url = await pod.reconnect();
          try {
            current = await openCdpClient({ target: url });
            connection.client = current;
            return current;
          } catch (error) {
            lastError = error;
            await new Promise((resolve) => setTimeout(resolve, 500 * (i + 1)));
          }
        }
        throw lastError;
      };
      const closeClient = () => current.close().catch(() => undefined);
      let disposing: Promise<void> | undefined;
      connection.dispose = () => (disposing ??= closeClient().then(() => pod.dispose()));
      return connection;
    }
  }
}

/**
 * Events the session listens to. js-debug's CDP proxy forwards a target's events to a proxy client
 * only once it subscribed to them (`JsDebug.subscribe`); without it no GC event, pause or context
 * change would ever reach us, and a session would miss the debugger's pauses.
 */
const PROXY_EVENTS = [
  'Runtime.bindingCalled',
  'Runtime.executionContextCreated',
  'Runtime.executionContextDestroyed',
  'Runtime.executionContextsCleared',
  'Debugger.paused',
  'Debugger.resumed',
  'HeapProfiler.*',
];

async function subscribeToProxyEvents(client: CdpClient, log?: (line: string) => void): Promise<void> {
  try {
    await client.send('JsDebug.subscribe', { events: PROXY_EVENTS });
  } catch (error) {
    // A plain inspector (not js-debug's proxy) does not know the JsDebug domain and sends every event.
    log?.(`heapscope: no js-debug proxy event subscription (${describeError(error)}); using plain CDP.`);
  }
}

function simple(client: CdpClient, info: TargetInfo, warnings: string[]): TargetConnection {
  let closing: Promise<void> | undefined;
  return {
    client,
    info,
    shared: false,
    warnings,
    dispose: () => (closing ??= client.close().catch(() => undefined)),
  };
}
