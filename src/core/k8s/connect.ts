// Attaching to a Node process in a pod: check the pod, find the Node process (kubectl exec), turn its
// inspector on with SIGUSR1 when it is off, port-forward a free local loopback port to it, wait until
// the inspector answers through the forward, and keep the forward up (bounded reconnects) until
// disposed. Everything done to the pod is reported in `actions`.
import * as http from 'node:http';
import { isLoopbackHost } from '../inspector/address';
import { bounded, openCdpClient, type CdpClient } from '../inspector/cdp';
import { HeapscopeError, isHeapscopeError } from '../errors';
import {
  cancelled,
  kubectlFailure,
  runKubectl,
  targetFlags,
  type KubectlOptions,
  type KubectlResult,
} from './kubectl';
import { checkPodNames } from './podRef';
import { getPod, listContexts, type PodSummary } from './pods';
import { startForward, type ForwardTarget, type RunningForward } from './portForward';
import {
  SCAN_SCRIPT,
  chooseNodeProcess,
  describeProcess,
  nodeOptionsOf,
  parseInspectorFlags,
  parseScanOutput,
  type ContainerProcess,
} from './processScan';

export interface PodTargetSpec {
  namespace: string;
  pod: string;
  container?: string;
  context?: string;
  kubeconfig?: string;
  /** The Node process to attach to, as the container sees its pid; default: found automatically. */
  pid?: number;
}

export type PodConnectionEvent =
  | { type: 'forward-lost'; attempt: number; maxAttempts: number; message: string }
  | { type: 'forward-restored'; attempt: number }
  | { type: 'forward-failed'; error: HeapscopeError };

export interface ConnectOptions extends Omit<KubectlOptions, 'timeoutMs'> {
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** How often a dropped port-forward is reopened in a row before giving up (default 3). */
  maxReconnects?: number;
  /** Forward drops, restores and the final failure, as they happen. */
  onEvent?: (event: PodConnectionEvent) => void;
  /** How long to wait for the inspector to answer through the forward (default 20000 ms). */
  inspectorTimeoutMs?: number;
}

export interface PodConnection {
  /** Inspector WebSocket URL on 127.0.0.1 (the local end of the port-forward). */
  inspectorUrl: string;
  /** What Heapscope did to the pod, in words (e.g. "sent SIGUSR1 to pid 1 in container api"); the caller shows them. */
  actions: string[];
  /** namespace/pod/container, for TargetInfo.pod. */
  pod: string;
  /** The Node process attached to, as the container sees it. */
  pid?: number;
  command?: string[];
  localPort: number;
  /** Port of the inspector inside the pod. */
  podPort: number;
  /**
   * Resolves to the inspector URL once the forward is up (at once when it is; after an automatic
   * reopen when it dropped). Rejects with k8s-port-forward once the reconnects are used up.
   */
  reconnect(): Promise<string>;
  /** Tears down the port-forward; says the inspector stays on until the process restarts. */
  dispose(): Promise<void>;
  /** Set after dispose(): the sentence for the user about what stays behind. */
  readonly disposeNote: string;
}

const DEFAULT_INSPECTOR_PORT = 9229;
/** A reopened forward that stays up this long resets the count of reconnects. */
const STABLE_FORWARD_MS = 30000;

export async function connectToPod(
  spec: PodTargetSpec,
  options: ConnectOptions = {},
): Promise<PodConnection> {
  checkPodNames(spec);
  const log = options.log ?? (() => undefined);
  const kubectl: KubectlOptions = {
    kubectlPath: options.kubectlPath,
    env: options.env,
    signal: options.signal,
  };
  const forwardTarget: ForwardTarget = {
    namespace: spec.namespace,
    pod: spec.pod,
    context: spec.context,
    kubeconfig: spec.kubeconfig,
  };
  const ref = `${spec.namespace}/${spec.pod}`;
  const checkCancel = () => {
    if (options.signal?.aborted) throw cancelled();
  };
  const actions: string[] = [];

  // kubectl without a usable context quietly falls back to localhost:8080; say what is really wrong.
  const contexts = await listContexts({ kubeconfig: spec.kubeconfig }, kubectl);
  checkCancel();
  if (spec.context && !contexts.some((c) => c.name === spec.context)) {
    throw new HeapscopeError(
      'k8s-no-context',
      `There is no context "${spec.context}" in your kubeconfig. Contexts: ${contexts.map((c) => c.name).join(', ')}.`,
    );
  }
  if (!spec.context && !contexts.some((c) => c.current)) {
    throw new HeapscopeError(
      'k8s-no-context',
      `Your kubeconfig has no current context. Pick one (${contexts.map((c) => c.name).join(', ')}) or set it with ` +
        '`kubectl config use-context <name>`.',
    );
  }

  log(`k8s: reading pod ${ref}`);
  const pod = await getPod(forwardTarget, kubectl);
  checkCancel();
  if (pod.phase !== 'Running') throw podNotRunning(ref, pod);
  const containers = containerOrder(pod, spec.container, ref);

  // Find the Node process: the given container, or the first running one that has one.
  let found: { container: string; process: ContainerProcess; others: ContainerProcess[] } | undefined;
  let shellless: string | undefined;
  const seen: string[] = [];
  for (const container of containers) {
    log(`k8s: looking for the Node process in container ${container}`);
    const scan = await execIn(forwardTarget, container, ['sh', '-c', SCAN_SCRIPT], kubectl);
    checkCancel();
    // The script printed its marker: the shell ran (a "not found" then comes from inside it).
    if (!scan.stdout.includes('HSSELF') && binaryMissing(scan)) {
      shellless ??= container;
      continue;
    }
    if (scan.exitCode !== 0 && !scan.stdout.includes('HSSELF')) {
      throw kubectlFailure(scan, `run a command in container "${container}" of pod ${ref}`, forwardTarget);
    }
    const processes = parseScanOutput(scan.stdout);
    const { chosen, others } = chooseNodeProcess(processes, spec.pid);
    if (chosen) {
      found = { container, process: chosen, others };
      break;
    }
    seen.push(
      `${container}: ${processes.map(describeProcess).slice(0, 5).join('; ') || 'no processes visible (does the image have `tr`?)'}`,
    );
  }

  let podPort = DEFAULT_INSPECTOR_PORT;
  let container: string;
  let signalled = false;
  if (found) {
    container = found.container;
    const { process: target } = found;
    const flags = parseInspectorFlags(nodeOptionsOf(target));
    if (flags.port === 0) {
      throw new HeapscopeError(
        'k8s-port-forward',
        `The Node process (pid ${target.pid}, ${describeProcess(target)}) in ${ref} uses a random inspector port ` +
          `(${flags.flag}), which cannot be found from outside. Start it with a fixed port, e.g. --inspect-port=9229.`,
      );
    }
    podPort = flags.port;
    const what = `pid ${target.pid} (${describeProcess(target)}) in container "${container}" of pod ${ref}`;
    if (found.others.length) {
      actions.push(
        `Chose ${what}; other Node processes there: ${found.others.map((p) => `pid ${p.pid} (${describeProcess(p)})`).join(', ')}.`,
      );
    }
    if (flags.active) {
      const exposure = isLoopbackHost(flags.host)
        ? ''
        : ` Note: it listens on ${flags.host}, not only on the pod's loopback: anything that reaches the pod can reach it (set by the pod, not by Heapscope).`;
      actions.push(
        `The inspector of ${what} was already on (${flags.flag}), port ${podPort}: nothing changed in the pod.${exposure}`,
      );
    } else {
      log(`k8s: sending SIGUSR1 to ${what}`);
      const how = await sendSigusr1(forwardTarget, container, target.pid, kubectl);
      checkCancel();
      signalled = true;
      actions.push(
        `Sent SIGUSR1 to ${what} (${how}): its inspector now listens on the pod's 127.0.0.1:${podPort} ` +
          'and stays on until the process restarts.',
      );
    }
  } else if (shellless) {
    // Distroless images have no shell to look inside: an inspector started with --inspect still works.
    container = shellless;
    log(`k8s: no shell in container ${container}; trying an inspector on port ${DEFAULT_INSPECTOR_PORT}`);
    actions.push(
      `Container "${container}" has no shell (distroless image?): could not look inside; tried an inspector on port ${DEFAULT_INSPECTOR_PORT}.`,
    );
  } else {
    if (spec.pid !== undefined) {
      throw new HeapscopeError(
        'k8s-no-node-process',
        `There is no Node.js process with pid ${spec.pid} in ${spec.container ? `container "${spec.container}"` : 'the containers'} ` +
          `of pod ${ref}. Running there: ${seen.join(' / ')}. Leave the pid out to find the Node process automatically.`,
      );
    }
    throw new HeapscopeError(
      'k8s-no-node-process',
      `No Node.js process found in ${spec.container ? `container "${spec.container}"` : 'the containers'} of pod ${ref}. ` +
        `Running there: ${seen.join(' / ')}. Pick the container that runs your Node app` +
        `${pod.containers.length > 1 ? ` (containers: ${pod.containers.map((c) => c.name).join(', ')})` : ''}.`,
    );
  }

  log(`k8s: port-forward to ${ref} port ${podPort}`);
  let opened: { forward: RunningForward; targetId: string };
  try {
    opened = await openVerifiedForward(
      forwardTarget,
      podPort,
      kubectl,
      options.inspectorTimeoutMs ?? 20000,
      log,
    );
  } catch (error) {
    if (!found && shellless && isHeapscopeError(error) && error.code !== 'cancelled')
      throw noKill(ref, shellless, 'sh');
    if (isHeapscopeError(error, 'k8s-port-forward') && signalled) {
      throw new HeapscopeError(
        'k8s-port-forward',
        `${error.message} The process got SIGUSR1, but no inspector answered on the pod's port ${podPort}: the port ` +
          'may be taken by another process in the pod, or the app handles SIGUSR1 itself. Start Node with ' +
          `--inspect=127.0.0.1:${podPort} (or NODE_OPTIONS) instead.`,
        { cause: error },
      );
    }
    throw error;
  }
  if (options.signal?.aborted) {
    await opened.forward.stop();
    throw cancelled();
  }
  const localPort = opened.forward.localPort;
  const inspectorUrl = `ws://127.0.0.1:${localPort}/${opened.targetId}`;
  actions.push(
    `Port-forward 127.0.0.1:${localPort} -> ${ref}:${podPort} (kubectl port-forward, loopback only).`,
  );
  if (found) {
    // Another Node process of the pod may hold that port: say so rather than observe the wrong one.
    const answeringPid = await inspectorPid(inspectorUrl, 3000);
    if (answeringPid !== undefined && answeringPid !== found.process.pid) {
      actions.push(
        `Warning: the inspector on port ${podPort} belongs to pid ${answeringPid}, not to pid ${found.process.pid}: ` +
          `Heapscope observes pid ${answeringPid}. Give each Node process its own inspector port (--inspect-port) to choose.`,
      );
    }
  }
  return new ForwardSupervisor(
    forwardTarget,
    podPort,
    opened.forward,
    inspectorUrl,
    actions,
    kubectl,
    options,
    {
      pod: `${ref}/${container}`,
      pid: found?.process.pid,
      command: found?.process.argv,
    },
  );
}

function containerOrder(pod: PodSummary, wanted: string | undefined, ref: string): string[] {
  const names = pod.containers.map((c) => c.name);
  if (wanted) {
    const container = pod.containers.find((c) => c.name === wanted);
    if (!container) {
      throw new HeapscopeError(
        'k8s-not-found',
        `Pod ${ref} has no container "${wanted}". Its containers: ${names.join(', ') || 'none'}.`,
      );
    }
    if (!container.running) {
      throw new HeapscopeError(
        'k8s-pod-not-running',
        `Container "${wanted}" of pod ${ref} is not running (${container.reason ?? 'not started'}). Wait until it runs ` +
          `(\`kubectl get pod -n ${pod.namespace} ${pod.name} -w\`), or pick another container.`,
      );
    }
    return [wanted];
  }
  const running = pod.containers.filter((c) => c.running).map((c) => c.name);
  if (running.length === 0) throw podNotRunning(ref, pod);
  const preferred =
    pod.defaultContainer && running.includes(pod.defaultContainer) ? [pod.defaultContainer] : [];
  return [...preferred, ...running.filter((n) => !preferred.includes(n))];
}

function podNotRunning(ref: string, pod: PodSummary): HeapscopeError {
  return new HeapscopeError(
    'k8s-pod-not-running',
    `Pod ${ref} is not running (status ${pod.status}, phase ${pod.phase}). Heapscope attaches to running pods only: ` +
      `wait until it is Running (\`kubectl get pod -n ${pod.namespace} ${pod.name} -w\`), or pick another pod.`,
  );
}

export function execIn(
  target: ForwardTarget,
  container: string,
  argv: string[],
  options: KubectlOptions,
): Promise<KubectlResult> {
  return runKubectl(
    [
      ...targetFlags(target),
      `--namespace=${target.namespace}`,
      'exec',
      `pod/${target.pod}`,
      '-c',
      container,
      '--',
      ...argv,
    ],
    { timeoutMs: 30000, ...options },
  );
}

/** The binary is not in the image (runc: "executable file not found"; shells: "not found", exit 127). */
export function binaryMissing(result: KubectlResult): boolean {
  const text = `${result.stdout}\n${result.stderr}`;
  return (
    /executable file not found|no such file or directory|: not found|command not found/i.test(text) ||
    (result.exitCode === 127 && !text.includes('HSSELF'))
  );
}

/** `kill -USR1`: the kill binary, else the shell's builtin (slim images have sh but no procps). */
async function sendSigusr1(
  target: ForwardTarget,
  container: string,
  pid: number,
  options: KubectlOptions,
): Promise<string> {
  const ref = `${target.namespace}/${target.pod}`;
  const direct = await execIn(target, container, ['kill', '-USR1', String(pid)], options);
  if (direct.exitCode === 0) return 'kubectl exec kill -USR1';
  if (!binaryMissing(direct)) throw signalFailed(direct, ref, pid, target);
  const builtin = await execIn(target, container, ['sh', '-c', `kill -USR1 ${pid}`], options);
  if (builtin.exitCode === 0) return "kubectl exec sh -c 'kill -USR1', the image has no kill binary";
  if (binaryMissing(builtin)) throw noKill(ref, container, 'kill');
  throw signalFailed(builtin, ref, pid, target);
}

function signalFailed(
  result: KubectlResult,
  ref: string,
  pid: number,
  target: ForwardTarget,
): HeapscopeError {
  const failure = kubectlFailure(result, `send SIGUSR1 to pid ${pid} in pod ${ref}`, target);
  if (failure.code !== 'k8s-kubectl-failed') return failure;
  return new HeapscopeError(
    'k8s-no-kill',
    `Could not send SIGUSR1 to pid ${pid} in pod ${ref}: ${failure.message}. The container may run as another user ` +
      'than the Node process. Start Node with --inspect=127.0.0.1:9229 (or NODE_OPTIONS=--inspect=127.0.0.1:9229) instead.',
  );
}

function noKill(ref: string, container: string, missing: 'kill' | 'sh'): HeapscopeError {
  return new HeapscopeError(
    'k8s-no-kill',
    `Cannot turn the inspector on in container "${container}" of pod ${ref}: the image has no ${missing === 'sh' ? 'shell and no' : ''} ` +
      '`kill` (a distroless or scratch image?), so SIGUSR1 cannot be sent, and no inspector answered on port 9229. ' +
      "Start Node with the inspector on instead, bound to the pod's loopback: add `--inspect=127.0.0.1:9229` to the " +
      'command, or set the environment variable NODE_OPTIONS=--inspect=127.0.0.1:9229 in the pod spec, redeploy, ' +
      'and attach again (Heapscope then only port-forwards).',
  );
}

/**
 * Opens the forward and waits until the inspector answers through it. Until then kubectl may exit:
 * the pod refuses the connection while the inspector is still starting, and kubectl gives up the
 * whole forward on any refused connection; it is then started again on the same local port.
 */
async function openVerifiedForward(
  target: ForwardTarget,
  podPort: number,
  options: KubectlOptions,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<{ forward: RunningForward; targetId: string }> {
  const deadline = Date.now() + timeoutMs;
  let localPort: number | undefined;
  let lastProblem = '';
  while (Date.now() < deadline) {
    if (options.signal?.aborted) throw cancelled();
    const forward = await startForward(target, podPort, localPort, {
      ...options,
      readyTimeoutMs: Math.max(5000, deadline - Date.now()),
    });
    localPort = forward.localPort;
    while (Date.now() < deadline) {
      const listed = await listInspectorTargets(forward.localPort, 3000).catch((error: unknown) => {
        lastProblem = error instanceof Error ? error.message : String(error);
        return undefined;
      });
      const first = listed?.find((t) => typeof t.id === 'string' && t.id);
      if (first) return { forward, targetId: first.id };
      if (listed) lastProblem = 'the inspector listed no target';
      if (options.signal?.aborted) {
        await forward.stop();
        throw cancelled();
      }
      const gone = await Promise.race([forward.exited.then(() => true), delay(250).then(() => false)]);
      if (gone) break;
    }
    await forward.stop();
    const said = (await forward.exited).stderr.trim().split('\n').pop() ?? '';
    if (said) lastProblem = said;
    log(`k8s: inspector not answering yet through the forward (${lastProblem}); retrying`);
    await delay(300);
  }
  throw new HeapscopeError(
    'k8s-port-forward',
    `No Node inspector answered through the port-forward to ${target.namespace}/${target.pod} port ${podPort} within ` +
      `${Math.round(timeoutMs / 1000)} s (last: ${lastProblem || 'no answer'}).`,
  );
}

interface InspectorListEntry {
  id: string;
  type?: string;
  title?: string;
  webSocketDebuggerUrl?: string;
}

/** GET /json/list on the local end of the forward. */
export function listInspectorTargets(localPort: number, timeoutMs: number): Promise<InspectorListEntry[]> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: '127.0.0.1', port: localPort, path: '/json/list', timeout: timeoutMs },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (d: string) => (body += d));
        response.on('end', () => {
          try {
            const parsed = JSON.parse(body) as unknown;
            resolve(Array.isArray(parsed) ? (parsed as InspectorListEntry[]) : []);
          } catch {
            reject(new Error(`not an inspector (HTTP ${response.statusCode})`));
          }
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('no answer in time')));
    request.on('error', reject);
  });
}

/** process.pid of the inspected process (a fixed expression), or undefined when it cannot be read. */
async function inspectorPid(inspectorUrl: string, timeoutMs: number): Promise<number | undefined> {
  let client: CdpClient | undefined;
  try {
    client = await openCdpClient({ target: inspectorUrl, timeoutMs });
    const reply = await bounded(
      client.send('Runtime.evaluate', { expression: 'process.pid', returnByValue: true }),
      timeoutMs,
    );
    const value: unknown = reply.result.value;
    return typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  } finally {
    await client?.close();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Keeps the forward up: reopens it on the same local port when kubectl exits, a bounded number of times. */
class ForwardSupervisor implements PodConnection {
  readonly localPort: number;
  readonly pod: string;
  readonly pid?: number;
  readonly command?: string[];
  disposeNote = '';
  private forward: RunningForward | undefined;
  private state: 'up' | 'reopening' | 'failed' | 'disposed' = 'up';
  private failure: HeapscopeError | undefined;
  private attempts = 0;
  private upSince = Date.now();
  private waiters: Array<{ resolve: (url: string) => void; reject: (error: Error) => void }> = [];
  private readonly maxAttempts: number;

  constructor(
    private readonly target: ForwardTarget,
    readonly podPort: number,
    forward: RunningForward,
    readonly inspectorUrl: string,
    readonly actions: string[],
    private readonly kubectl: KubectlOptions,
    private readonly options: ConnectOptions,
    info: { pod: string; pid?: number; command?: string[] },
  ) {
    this.localPort = forward.localPort;
    this.pod = info.pod;
    this.pid = info.pid;
    this.command = info.command;
    this.maxAttempts = options.maxReconnects ?? 3;
    this.watch(forward);
  }

  private watch(forward: RunningForward): void {
    this.forward = forward;
    this.upSince = Date.now();
    void forward.exited.then(({ stderr }) => {
      if (this.forward !== forward || this.state === 'disposed') return;
      void this.reopen(stderr.trim().split('\n').pop() || 'kubectl port-forward exited');
    });
  }

  private async reopen(why: string): Promise<void> {
    const log = this.options.log ?? (() => undefined);
    if (Date.now() - this.upSince > STABLE_FORWARD_MS) this.attempts = 0;
    this.state = 'reopening';
    const ref = `${this.target.namespace}/${this.target.pod}`;
    while (this.state === 'reopening') {
      if (this.attempts >= this.maxAttempts) {
        this.fail(
          new HeapscopeError(
            'k8s-port-forward',
            `The port-forward to ${ref} dropped and could not be reopened (${this.maxAttempts} attempts; last: ${why}). ` +
              'Heapscope stopped retrying. Check the connection to the cluster, then attach again; the inspector stays ' +
              'on in the process until it restarts.',
          ),
        );
        return;
      }
      this.attempts++;
      log(`k8s: port-forward to ${ref} dropped (${why}); reopening (${this.attempts}/${this.maxAttempts})`);
      this.options.onEvent?.({
        type: 'forward-lost',
        attempt: this.attempts,
        maxAttempts: this.maxAttempts,
        message: why,
      });
      await delay(500 * this.attempts);
      if (this.state !== 'reopening') return;
      try {
        const forward = await startForward(this.target, this.podPort, this.localPort, {
          ...this.kubectl,
          signal: undefined,
          readyTimeoutMs: 20000,
        });
        if (this.state !== 'reopening') {
          await forward.stop();
          return;
        }
        this.state = 'up';
        this.watch(forward);
        log(`k8s: port-forward to ${ref} reopened on 127.0.0.1:${this.localPort}`);
        this.options.onEvent?.({ type: 'forward-restored', attempt: this.attempts });
        for (const waiter of this.waiters.splice(0)) waiter.resolve(this.inspectorUrl);
        return;
      } catch (error) {
        why = error instanceof Error ? error.message : String(error);
      }
    }
  }

  private fail(error: HeapscopeError): void {
    this.state = 'failed';
    this.failure = error;
    this.options.log?.(`k8s: ${error.message}`);
    this.options.onEvent?.({ type: 'forward-failed', error });
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  reconnect(): Promise<string> {
    if (this.state === 'up') return Promise.resolve(this.inspectorUrl);
    if (this.state === 'failed') return Promise.reject(this.failure!);
    if (this.state === 'disposed')
      return Promise.reject(new HeapscopeError('k8s-port-forward', 'The pod connection was closed.'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async dispose(): Promise<void> {
    if (this.state === 'disposed') return;
    this.state = 'disposed';
    for (const waiter of this.waiters.splice(0))
      waiter.reject(new HeapscopeError('k8s-port-forward', 'The pod connection was closed.'));
    await this.forward?.stop();
    this.disposeNote =
      `Port-forward to ${this.target.namespace}/${this.target.pod} closed. The inspector stays on in the process ` +
      `${this.pid !== undefined ? `(pid ${this.pid}) ` : ''}until it restarts (listening on the pod's loopback only).`;
    this.options.log?.(`k8s: ${this.disposeNote}`);
  }
}
