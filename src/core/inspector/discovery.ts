// What can be observed on this machine, as plain data for a picker: inspectors answering on the usual
// ports (9229-9239 plus any given) and running Node processes.
import { isLoopbackHost, listInspectorTargets } from './address';
import { pidsListeningOn } from './portOwner';
import { listNodeProcesses, type NodeProcess } from './processes';

export interface ListeningInspector {
  webSocketDebuggerUrl: string;
  host: string;
  port: number;
  title?: string;
  pid?: number;
  /** /json/list leaves out devtoolsFrontendUrl while a client is attached. */
  attachedElsewhere?: boolean;
}

export const DEFAULT_SCAN_PORTS: readonly number[] = Array.from({ length: 11 }, (_, i) => 9229 + i);

export async function listInspectors(
  options: { ports?: readonly number[]; host?: string; signal?: AbortSignal } = {},
): Promise<ListeningInspector[]> {
  const host = options.host ?? '127.0.0.1';
  const ports = [...new Set([...DEFAULT_SCAN_PORTS, ...(options.ports ?? [])])];
  const found = await Promise.all(
    ports.map(async (port) => {
      if (options.signal?.aborted) return [];
      try {
        const targets = await listInspectorTargets(host, port, 800);
        return targets
          .filter((t) => t.webSocketDebuggerUrl)
          .map<ListeningInspector>((t) => ({
            webSocketDebuggerUrl: t.webSocketDebuggerUrl!,
            host,
            port,
            title: t.title,
            attachedElsewhere: t.devtoolsFrontendUrl === undefined,
          }));
      } catch {
        return [];
      }
    }),
  );
  const inspectors = found.flat();
  // The picker shows whose inspector it is; on loopback the listening socket names the process.
  if (inspectors.length && isLoopbackHost(host)) {
    const owners = await pidsListeningOn(inspectors.map((i) => i.port)).catch(
      () => new Map<number, number>(),
    );
    for (const inspector of inspectors) {
      const pid = owners.get(inspector.port);
      if (pid !== undefined) inspector.pid = pid;
    }
  }
  return inspectors;
}

export { listNodeProcesses };
export type { NodeProcess };
