// Runs the user's own `kubectl`: their kubeconfig, contexts, exec auth plugins (cloud logins) and
// proxies work unchanged, and nothing of their credentials passes through Heapscope. Failures are
// turned into HeapscopeErrors whose message says what to do.
import { spawn } from 'node:child_process';
import { HeapscopeError } from '../errors';
import { checkContext } from './podRef';

/** Where and as whom kubectl talks: the parts of a pod target that select the cluster. */
export interface KubectlTarget {
  /** kubeconfig context; default: the current context. */
  context?: string;
  /** kubeconfig file; default: kubectl's own ($KUBECONFIG or ~/.kube/config). */
  kubeconfig?: string;
}

export interface KubectlOptions {
  /** kubectl binary; default $HEAPSCOPE_KUBECTL or `kubectl` on PATH. */
  kubectlPath?: string;
  signal?: AbortSignal;
  /** Kills kubectl after this long (API calls also get --request-timeout). */
  timeoutMs?: number;
  /** Extra environment for kubectl (tests point KUBECACHEDIR at a temp dir). */
  env?: NodeJS.ProcessEnv;
}

/** What is kept of kubectl's output: its JSON answers fit easily; a runaway stream does not fill memory. */
export const MAX_STDOUT_CHARS = 64 * 1024 * 1024;
/** Only the end of stderr is read (its last lines say what went wrong). */
export const MAX_STDERR_CHARS = 64 * 1024;

export interface KubectlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export function kubectlBinary(options: KubectlOptions): string {
  return options.kubectlPath ?? process.env.HEAPSCOPE_KUBECTL ?? 'kubectl';
}

/** Global flags selecting kubeconfig and context; they come before the subcommand. */
export function targetFlags(target: KubectlTarget): string[] {
  const flags: string[] = [];
  if (target.kubeconfig) flags.push(`--kubeconfig=${target.kubeconfig}`);
  if (target.context !== undefined) flags.push(`--context=${checkContext(target.context)}`);
  return flags;
}

export function kubectlMissing(binary: string): HeapscopeError {
  return new HeapscopeError(
    'k8s-kubectl-missing',
    `kubectl was not found (looked for "${binary}"). Heapscope uses your own kubectl and kubeconfig to ` +
      'reach pods: install kubectl (https://kubernetes.io/docs/tasks/tools/) and check that ' +
      '`kubectl get pods` works in a terminal, or set HEAPSCOPE_KUBECTL to its path.',
  );
}

/** Runs kubectl to completion. Rejects only when kubectl cannot be started or is cancelled. */
export function runKubectl(args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  const binary = kubectlBinary(options);
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(cancelled());
    const child = spawn(binary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    let stdoutCapped = false;
    let settled = false;
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            stderr += `\nkubectl did not finish within ${options.timeoutMs} ms`;
            child.kill('SIGKILL');
          }, options.timeoutMs)
        : undefined;
    const onAbort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length + d.length <= MAX_STDOUT_CHARS) stdout += d;
      else if (!stdoutCapped) {
        stdoutCapped = true;
        stderr += `\nkubectl wrote more than ${MAX_STDOUT_CHARS / 1024 / 1024} MiB; the rest was not read`;
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.length > MAX_STDERR_CHARS) stderr = stderr.slice(-MAX_STDERR_CHARS);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      done();
      reject(error.code === 'ENOENT' ? kubectlMissing(binary) : error);
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      done();
      if (options.signal?.aborted) return reject(cancelled());
      resolve({ stdout, stderr, exitCode: code ?? (signal ? 128 : 1) });
    });
  });
}

export function cancelled(): HeapscopeError {
  return new HeapscopeError('cancelled', 'Cancelled.');
}

/** The last meaningful lines kubectl wrote, without its klog prefixes, for messages. */
export function kubectlSaid(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.replace(/^[EIW]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\]\s*/, '').trim())
    .filter(Boolean);
  // client-go's retry chatter ("Unhandled Error" err=...) repeats what kubectl's last line says.
  const plain = lines.filter((l) => !l.startsWith('"Unhandled Error"'));
  const unique = [...new Set(plain.length ? plain : lines)];
  return unique
    .slice(-3)
    .join(' | ')
    .slice(0, 600)
    .replace(/[\s.?!]+$/, '');
}

/**
 * Turns a failed kubectl run into an error that says what to do. `doing` names the step in words
 * ("list pods in namespace dev"); `target` names the context for the messages.
 */
export function kubectlFailure(result: KubectlResult, doing: string, target: KubectlTarget): HeapscopeError {
  const said = kubectlSaid(result.stderr || result.stdout) || `exit code ${result.exitCode}`;
  const context = target.context ? `context "${target.context}"` : 'the current context';
  const text = `${result.stderr}\n${result.stdout}`;

  const rbac =
    /User "([^"]*)" cannot (\w+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]+)")?/.exec(
      text,
    );
  if (rbac || /\(Forbidden\)|is forbidden/.test(text)) {
    const [, user, verb, resource, group, namespace] = rbac ?? [];
    const grant = rbac
      ? `Ask a cluster admin for RBAC permission to "${verb}" the resource "${resource}"` +
        `${group ? ` (API group "${group}")` : ''}${namespace ? ` in namespace "${namespace}"` : ''}` +
        ` for ${user}, or use a context that has it.`
      : 'Ask a cluster admin for the missing RBAC permission, or use a context that has it.';
    return new HeapscopeError(
      'k8s-forbidden',
      `Kubernetes refused to ${doing} (${context}): ${rbac ? `${user} may not ${verb} ${resource}` : 'forbidden'}. ${grant} Server said: ${said}`,
    );
  }
  if (/Unauthorized|must be logged in|provide credentials|token (has )?expired|invalid bearer/i.test(text)) {
    return new HeapscopeError(
      'k8s-forbidden',
      `The cluster of ${context} rejected your credentials while trying to ${doing}. Log in again ` +
        `(refresh your cloud login or token) and check that \`kubectl get pods\` works. kubectl said: ${said}`,
    );
  }
  if (
    /context "[^"]*" does not exist|current-context is not set|no context exists|no configuration has been provided|invalid configuration/i.test(
      text,
    )
  ) {
    return new HeapscopeError(
      'k8s-no-context',
      `kubectl has no usable context (${context}): ${said}. Pick an existing context (\`kubectl config get-contexts\`) ` +
        'or set one with `kubectl config use-context <name>`.',
    );
  }
  if (
    /Unable to connect to the server|connection (was )?refused|was refused|no such host|i\/o timeout|deadline exceeded|Client\.Timeout|TLS handshake|network is unreachable|no route to host|did not finish within|EOF$/im.test(
      text,
    )
  ) {
    return new HeapscopeError(
      'k8s-unreachable',
      `Cannot reach the cluster of ${context} to ${doing}: ${said}. Check your network or VPN, that the ` +
        'cluster is up, and that `kubectl get pods` works with this context.',
    );
  }
  const notFound = /(\w+) "([^"]+)" not found/.exec(text);
  if (notFound) {
    return new HeapscopeError(
      'k8s-not-found',
      `Could not ${doing}: ${notFound[1]} "${notFound[2]}" not found (${context}). Check the name and the ` +
        'namespace (`kubectl get pods -n <namespace>`).',
    );
  }
  return new HeapscopeError('k8s-kubectl-failed', `kubectl could not ${doing} (${context}): ${said}`);
}
