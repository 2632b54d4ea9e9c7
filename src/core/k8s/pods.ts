// Contexts, namespaces, pods and containers as the pickers show them, read through kubectl.
import { HeapscopeError } from '../errors';
import { checkNamespace, checkPodNames } from './podRef';
import { kubectlFailure, runKubectl, targetFlags, type KubectlOptions, type KubectlTarget } from './kubectl';

/** API calls give up after this long, so an unreachable cluster fails fast with a clear message. */
export const REQUEST_TIMEOUT = '--request-timeout=20s';

export interface KubeContext {
  name: string;
  current: boolean;
}

export interface ContainerSummary {
  name: string;
  image: string;
  running: boolean;
  /** Why not running (e.g. "CrashLoopBackOff"), from the container status. */
  reason?: string;
}

export interface PodSummary {
  namespace: string;
  name: string;
  /** Phase as the API gives it (Running, Pending, Succeeded, Failed, Unknown). */
  phase: string;
  /** What `kubectl get pods` shows in STATUS (e.g. CrashLoopBackOff, ContainerCreating, Terminating). */
  status: string;
  /** "ready/total" containers. */
  ready: string;
  restarts: number;
  createdAt: string;
  ageSeconds: number;
  /** kubectl-style age: 45s, 12m, 3h, 5d. */
  age: string;
  containers: ContainerSummary[];
  /** The kubectl.kubernetes.io/default-container annotation, when set. */
  defaultContainer?: string;
}

/** The contexts of the kubeconfig, the current one first. Throws k8s-no-context when there are none. */
export async function listContexts(
  target: Pick<KubectlTarget, 'kubeconfig'> = {},
  options: KubectlOptions = {},
): Promise<KubeContext[]> {
  const flags = targetFlags({ kubeconfig: target.kubeconfig });
  const names = await runKubectl([...flags, 'config', 'get-contexts', '-o', 'name'], {
    timeoutMs: 15000,
    ...options,
  });
  if (names.exitCode !== 0) throw kubectlFailure(names, 'read the kubeconfig contexts', target);
  const all = names.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (all.length === 0) {
    throw new HeapscopeError(
      'k8s-no-context',
      `Your kubeconfig${target.kubeconfig ? ` (${target.kubeconfig})` : ''} has no contexts, so kubectl cannot reach any ` +
        "cluster. Add one with your provider's login command (e.g. `aws eks update-kubeconfig`, `gcloud container " +
        'clusters get-credentials`, `az aks get-credentials`) and check `kubectl config get-contexts`.',
    );
  }
  const current = await runKubectl([...flags, 'config', 'current-context'], { timeoutMs: 15000, ...options });
  const currentName = current.exitCode === 0 ? current.stdout.trim() : '';
  return all
    .map((name) => ({ name, current: name === currentName }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}

/** The namespace a context defaults to ("default" when the context sets none). */
export async function contextNamespace(target: KubectlTarget, options: KubectlOptions = {}): Promise<string> {
  const result = await runKubectl(
    [...targetFlags(target), 'config', 'view', '--minify', '-o', 'jsonpath={.contexts[0].context.namespace}'],
    { timeoutMs: 15000, ...options },
  );
  return (result.exitCode === 0 && result.stdout.trim()) || 'default';
}

export interface NamespaceList {
  names: string[];
  /** The context's own namespace, to preselect. */
  defaultNamespace: string;
  /** Set when the user may not list namespaces: only the context's namespace is offered. */
  restricted?: string;
}

export async function listNamespaces(
  target: KubectlTarget,
  options: KubectlOptions = {},
): Promise<NamespaceList> {
  const defaultNamespace = await contextNamespace(target, options);
  const result = await runKubectl(
    [...targetFlags(target), REQUEST_TIMEOUT, 'get', 'namespaces', '-o', 'json'],
    options,
  );
  if (result.exitCode !== 0) {
    const error = kubectlFailure(result, 'list namespaces', target);
    // Many users may only see their own namespace: still let them pick pods there.
    if (error.code === 'k8s-forbidden')
      return { names: [defaultNamespace], defaultNamespace, restricted: error.message };
    throw error;
  }
  const list = parseJson<{ items?: Array<{ metadata?: { name?: string } }> }>(
    result.stdout,
    'namespace list',
  );
  const names = (list.items ?? [])
    .map((n) => n.metadata?.name ?? '')
    .filter(Boolean)
    .sort();
  if (!names.includes(defaultNamespace)) names.unshift(defaultNamespace);
  return { names, defaultNamespace };
}

export async function listPods(
  target: KubectlTarget & { namespace: string },
  options: KubectlOptions = {},
): Promise<PodSummary[]> {
  checkNamespace(target.namespace);
  const result = await runKubectl(
    [...targetFlags(target), REQUEST_TIMEOUT, `--namespace=${target.namespace}`, 'get', 'pods', '-o', 'json'],
    options,
  );
  if (result.exitCode !== 0)
    throw kubectlFailure(result, `list pods in namespace "${target.namespace}"`, target);
  const list = parseJson<{ items?: PodJson[] }>(result.stdout, 'pod list');
  return (list.items ?? []).map((p) => summarizePod(p)).sort((a, b) => a.name.localeCompare(b.name));
}

export async function getPod(
  target: KubectlTarget & { namespace: string; pod: string },
  options: KubectlOptions = {},
): Promise<PodSummary> {
  checkPodNames({ namespace: target.namespace, pod: target.pod });
  // `pod/<name>`: one argument that cannot be read as a flag, whatever the name holds.
  const result = await runKubectl(
    [
      ...targetFlags(target),
      REQUEST_TIMEOUT,
      `--namespace=${target.namespace}`,
      'get',
      `pod/${target.pod}`,
      '-o',
      'json',
    ],
    options,
  );
  if (result.exitCode !== 0)
    throw kubectlFailure(result, `read pod "${target.namespace}/${target.pod}"`, target);
  return summarizePod(parseJson<PodJson>(result.stdout, 'pod'));
}

export async function listContainers(
  target: KubectlTarget & { namespace: string; pod: string },
  options: KubectlOptions = {},
): Promise<ContainerSummary[]> {
  return (await getPod(target, options)).containers;
}

/** The subset of the Pod object Heapscope reads. */
export interface PodJson {
  metadata?: {
    name?: string;
    namespace?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    annotations?: Record<string, string>;
  };
  spec?: { containers?: Array<{ name: string; image?: string }> };
  status?: {
    phase?: string;
    reason?: string;
    containerStatuses?: Array<{
      name: string;
      ready?: boolean;
      restartCount?: number;
      state?: {
        running?: object;
        waiting?: { reason?: string };
        terminated?: { reason?: string; exitCode?: number };
      };
    }>;
  };
}

export function summarizePod(pod: PodJson, nowMs = Date.now()): PodSummary {
  const statuses = pod.status?.containerStatuses ?? [];
  const containers: ContainerSummary[] = (pod.spec?.containers ?? []).map((c) => {
    const status = statuses.find((s) => s.name === c.name);
    const state = status?.state;
    return {
      name: c.name,
      image: c.image ?? '',
      running: Boolean(state?.running),
      reason: state?.waiting?.reason ?? state?.terminated?.reason,
    };
  });
  const phase = pod.status?.phase ?? 'Unknown';
  const waiting = containers.find((c) => !c.running && c.reason)?.reason;
  const status = pod.metadata?.deletionTimestamp ? 'Terminating' : (waiting ?? pod.status?.reason ?? phase);
  const createdAt = pod.metadata?.creationTimestamp ?? '';
  const ageSeconds = createdAt ? Math.max(0, Math.round((nowMs - Date.parse(createdAt)) / 1000)) : 0;
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    phase,
    status,
    ready: `${statuses.filter((s) => s.ready).length}/${containers.length}`,
    restarts: statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0),
    createdAt,
    ageSeconds,
    age: formatAge(ageSeconds),
    containers,
    defaultContainer: pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'],
  };
}

export function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 2 * 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 2 * 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new HeapscopeError(
      'k8s-kubectl-failed',
      `kubectl returned a ${what} Heapscope could not read (not JSON).`,
      { cause: error },
    );
  }
}
