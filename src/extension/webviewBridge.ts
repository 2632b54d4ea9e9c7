// Translation between the extension's sessions and the webview's message protocol
// (src/shared/protocol.ts, owned by the webview work). Pure: no `vscode`.
import {
  parseWebviewIntent,
  PROTOCOL_VERSION,
  type HostMessage,
  type InitMessage,
  type ProcessesBody,
  type PrometheusSeries,
  type SessionListItem,
  type SessionsMessage,
} from '../shared/protocol';
import type { PromHistory } from '../shared/prometheusTypes';
import type { SessionEntry, SessionRegistry } from './sessionRegistry';

/** Intents the host acts on (the protocol's intents, with the two exports folded into one). */
export type HostIntent =
  | { kind: 'ready' }
  | { kind: 'selectSession'; sessionId: string }
  | { kind: 'forceGc'; sessionId?: string }
  | { kind: 'takeSnapshot'; sessionId?: string }
  | { kind: 'toggleSampling'; sessionId?: string; on?: boolean }
  | { kind: 'export'; sessionId?: string; format?: 'csv' | 'json' | 'heapprofile' }
  | { kind: 'openSource'; sessionId?: string; url: string; line: number; column?: number }
  | { kind: 'comparePrometheus'; sessionId?: string }
  | { kind: 'setFollow'; sessionId?: string; follow: boolean }
  | { kind: 'startSession'; sessionId?: undefined }
  | { kind: 'stopSession'; sessionId?: string }
  | { kind: 'showObjects'; sessionId?: string; rank: number };

export function sessionList(registry: SessionRegistry): SessionsMessage {
  return {
    type: 'sessions',
    sessions: registry.all.map((e): SessionListItem => ({
      id: e.id,
      name: e.name,
      origin: e.origin,
      state: e.session.status.state,
      readOnly: e.readOnly,
      ended: e.ended,
    })),
    currentId: registry.current?.id ?? null,
  };
}

/** The whole current session: `init` for a live one, `recordingLoaded` for a reopened recording. */
export function initMessage(entry: SessionEntry): HostMessage {
  const s = entry.session;
  const limit = [...s.samples].reverse().find((x) => x.heapLimitBytes !== undefined)?.heapLimitBytes;
  const body: Omit<InitMessage, 'type' | 'readOnly'> = {
    protocolVersion: PROTOCOL_VERSION,
    sessionId: entry.id,
    name: entry.name,
    target: s.target,
    status: s.status,
    // A tree's chart shows every process it followed, apart (processes.changes say where).
    samples: [...(s.chartSamples ?? s.samples)],
    gcEvents: [...(s.chartGcEvents ?? s.gcEvents)],
    verdict: s.verdict ?? null,
    suspects: [...s.suspects],
    allocationSampling: s.allocationSampling,
    ...(limit !== undefined ? { heapLimitBytes: limit } : {}),
    ...(s.isolates?.length ? { isolates: [...s.isolates] } : {}),
    ...processesOf(entry),
  };
  if (entry.readOnly) {
    return {
      type: 'recordingLoaded',
      ...body,
      readOnly: true,
      ...(s.recordingDir ? { source: s.recordingDir } : {}),
    };
  }
  return { type: 'init', ...body, readOnly: false };
}

/** A launched tree's process lines and the chart's changes of process; nothing for one process. */
function processesBody(entry: SessionEntry): ProcessesBody | undefined {
  const s = entry.session;
  const processes = s.processes;
  if (!processes?.length) return undefined;
  return {
    processes: [...processes],
    ...(s.target.pid !== undefined ? { followedPid: s.target.pid } : {}),
    changes: [...(s.followChanges ?? [])],
  };
}

function processesOf(entry: SessionEntry): { processes?: ProcessesBody } {
  const body = processesBody(entry);
  return body ? { processes: body } : {};
}

/** Everything a freshly loaded webview needs: the session list, then the current session's data. */
export function fullStateMessages(registry: SessionRegistry): HostMessage[] {
  const current = registry.current;
  return current ? [sessionList(registry), initMessage(current)] : [sessionList(registry), { type: 'clear' }];
}

/** Incremental messages for one engine event; only the current session's data goes to the views. */
export function eventMessages(entry: SessionEntry, what: string, registry: SessionRegistry): HostMessage[] {
  const isCurrent = registry.current?.id === entry.id;
  const s = entry.session;
  const out: HostMessage[] = [];
  if (what === 'status' || what === 'ended') out.push(sessionList(registry));
  if (!isCurrent) return out;
  switch (what) {
    case 'sample': {
      const sample = s.samples.at(-1);
      if (sample) out.push({ type: 'sample', sessionId: entry.id, sample });
      break;
    }
    case 'gc': {
      const gc = s.gcEvents.at(-1);
      if (gc) out.push({ type: 'gc', sessionId: entry.id, gc });
      break;
    }
    case 'verdict': {
      out.push({ type: 'verdict', sessionId: entry.id, verdict: s.verdict ?? null });
      // The process verdict combines the isolates': each verdict event carries their lines too.
      const isolates = s.isolates;
      if (isolates?.length) out.push({ type: 'isolates', sessionId: entry.id, isolates: [...isolates] });
      pushProcesses(out, entry);
      break;
    }
    case 'suspects':
      out.push({ type: 'suspects', sessionId: entry.id, suspects: [...s.suspects] });
      break;
    case 'status':
    case 'ended':
      out.push({
        type: 'status',
        sessionId: entry.id,
        status: s.status,
        allocationSampling: s.allocationSampling,
      });
      // A tree's status speaks of a change of process (a restart, the next one followed).
      pushProcesses(out, entry);
      break;
  }
  return out;
}

function pushProcesses(out: HostMessage[], entry: SessionEntry): void {
  const body = processesBody(entry);
  if (body) out.push({ type: 'processes', sessionId: entry.id, ...body });
}

/** Reads a message from the webview through the protocol's guard; anything malformed is undefined. */
export function parseIntent(raw: unknown): HostIntent | undefined {
  const intent = parseWebviewIntent(raw);
  if (!intent) return undefined;
  switch (intent.type) {
    case 'exportRecording':
      return {
        kind: 'export',
        format: intent.format,
        ...(intent.sessionId ? { sessionId: intent.sessionId } : {}),
      };
    case 'exportProfile':
      return {
        kind: 'export',
        format: 'heapprofile',
        ...(intent.sessionId ? { sessionId: intent.sessionId } : {}),
      };
    case 'ready':
      return { kind: 'ready' };
    default: {
      const { type, ...rest } = intent;
      return { kind: type, ...rest } as HostIntent;
    }
  }
}

/**
 * Prometheus history (src/extension/prometheus) as chart overlays: byte series only (the chart's
 * axis is bytes), seconds turned into milliseconds, labelled with the container they describe.
 */
export function prometheusOverlay(history: PromHistory): PrometheusSeries[] {
  const where = `${history.container.namespace}/${history.container.pod}/${history.container.container}`;
  return history.series
    .filter((s) => s.unit === 'bytes' && s.points.length > 0)
    .map((s) => ({
      label: `${s.name} (${where})`,
      points: s.points.map(([seconds, value]): [number, number] => [seconds * 1000, value]),
    }));
}
