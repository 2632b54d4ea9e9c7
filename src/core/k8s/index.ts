// Public surface of the Kubernetes module (owned by the k8s work). Placeholder until it lands.
import { HeapscopeError } from '../errors';

export interface PodTargetSpec {
  namespace: string;
  pod: string;
  container?: string;
  context?: string;
  kubeconfig?: string;
}

export interface PodConnection {
  /** Inspector WebSocket URL on 127.0.0.1 (the local end of the port-forward). */
  inspectorUrl: string;
  /** What Heapscope did to the pod, in words (e.g. "sent SIGUSR1 to pid 1 in container api"). */
  actions: string[];
  /** Tears down the port-forward; says the inspector stays on until the process restarts. */
  dispose(): Promise<void>;
}

export async function connectToPod(
  spec: PodTargetSpec,
  _options: { log?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<PodConnection> {
  throw new HeapscopeError(
    'usage',
    `Kubernetes targets are not available yet (${spec.namespace}/${spec.pod}).`,
  );
}
