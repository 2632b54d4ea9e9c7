// One `kubectl port-forward` child: from a local loopback port (127.0.0.1 only: the inspector is
// remote code execution) to a port in the pod. kubectl exits when the tunnel breaks ("lost connection
// to pod") or when the pod refuses a connection; the caller decides whether to start it again.
import { spawn, type ChildProcess } from 'node:child_process';
import { HeapscopeError } from '../errors';
import {
  kubectlBinary,
  kubectlFailure,
  kubectlMissing,
  targetFlags,
  type KubectlOptions,
  type KubectlTarget,
} from './kubectl';

export interface ForwardTarget extends KubectlTarget {
  namespace: string;
  pod: string;
}

export interface RunningForward {
  localPort: number;
  /** Resolves when kubectl exits, with what it last said. */
  exited: Promise<{ code: number | null; stderr: string }>;
  stop(): Promise<void>;
  readonly pid: number | undefined;
}

/** Starts kubectl port-forward and resolves once it listens (it prints "Forwarding from ..."). */
export function startForward(
  target: ForwardTarget,
  podPort: number,
  localPort: number | undefined,
  options: KubectlOptions & { readyTimeoutMs?: number } = {},
): Promise<RunningForward> {
  const binary = kubectlBinary(options);
  const args = [
    ...targetFlags(target),
    `--namespace=${target.namespace}`,
    'port-forward',
    `pod/${target.pod}`,
    '--address=127.0.0.1',
    // ":<port>" lets kubectl pick a free local port itself: no race between choosing and binding.
    `${localPort ?? ''}:${podPort}`,
  ];
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new HeapscopeError('cancelled', 'Cancelled.'));
    const child: ChildProcess = spawn(binary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    let ready = false;
    let exitCode: number | null | undefined;
    let resolveExit: (value: { code: number | null; stderr: string }) => void = () => undefined;
    const exited = new Promise<{ code: number | null; stderr: string }>((r) => (resolveExit = r));
    const timer = setTimeout(() => {
      if (ready) return;
      child.kill('SIGKILL');
      reject(
        new HeapscopeError(
          'k8s-port-forward',
          `kubectl port-forward to ${target.namespace}/${target.pod} did not start listening within ` +
            `${options.readyTimeoutMs ?? 20000} ms. ${stderr.trim()}`,
        ),
      );
    }, options.readyTimeoutMs ?? 20000);

    const stop = async () => {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(killTimer);
    };
    // Cancelling applies while starting; a running forward is ended with stop().
    const onAbort = () => {
      if (!ready) child.kill('SIGKILL');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    void exited.then(() => options.signal?.removeEventListener('abort', onAbort));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout = (stdout + d).slice(-8000);
      const match = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(stdout);
      if (match && !ready) {
        ready = true;
        clearTimeout(timer);
        resolve({ localPort: Number(match[1]), exited, stop, pid: child.pid });
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-8000);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      exitCode = null;
      resolveExit({ code: null, stderr: String(error) });
      if (!ready) reject(error.code === 'ENOENT' ? kubectlMissing(binary) : error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      exitCode = code;
      resolveExit({ code, stderr });
      if (!ready && options.signal?.aborted) {
        reject(new HeapscopeError('cancelled', 'Cancelled.'));
      } else if (!ready) {
        const failure = kubectlFailure(
          { stdout, stderr, exitCode: code ?? 1 },
          `port-forward to pod ${target.namespace}/${target.pod}`,
          target,
        );
        reject(
          failure.code === 'k8s-kubectl-failed'
            ? new HeapscopeError('k8s-port-forward', failure.message)
            : failure,
        );
      }
    });
  });
}
