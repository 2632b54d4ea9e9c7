// The one message protocol between the extension host and the live view (webview). The webview never
// talks CDP: it renders what these messages carry and asks for actions with intents. Everything here is
// plain JSON (postMessage structured-clones it) and theme-independent: colours come from the VS Code
// theme's CSS variables inside the webview, never from the host.
//
// Both sides validate what they receive with the guards below: a webview may be stale (reloaded bundle)
// and a host may be newer, so unknown or malformed messages are ignored, never thrown on.
import type {
  FollowChange,
  GcEvent,
  IsolateReport,
  MemorySample,
  ProcessReport,
  Suspect,
  TargetInfo,
  TrendVerdict,
} from '../core/types';
import type { SessionState } from '../core/session/api';

/**
 * The engine's data types the webview draws, passed through here so the webview imports only
 * src/shared (type-only: nothing of src/core reaches its bundle).
 */
export type {
  FollowChange,
  GcEvent,
  IsolateReport,
  MemorySample,
  ProcessReport,
  Suspect,
  TargetInfo,
  TrendVerdict,
};

/** Bumped when a message changes shape incompatibly. */
export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------------
// host → webview (data)

export interface SessionListItem {
  id: string;
  name: string;
  /** How the session came to be: 'command' | 'debug' | 'launch.json' | 'recording' (host's wording). */
  origin: string;
  state: SessionState | string;
  readOnly: boolean;
  ended: boolean;
}

/** The sessions the host knows and which one the view shows. */
export interface SessionsMessage {
  type: 'sessions';
  sessions: SessionListItem[];
  currentId: string | null;
}

/** Everything about the current session: replaces whatever the view showed. */
export interface InitMessage {
  type: 'init';
  protocolVersion?: number;
  sessionId: string;
  name: string;
  /** A reopened recording: no live actions (GC, snapshot, sampling) make sense. */
  readOnly: boolean;
  target?: TargetInfo;
  status: { state: SessionState | string; message?: string };
  samples: MemorySample[];
  gcEvents: GcEvent[];
  verdict: TrendVerdict | null;
  suspects: Suspect[];
  allocationSampling: boolean;
  /** v8 heap_size_limit when known (drawn as a reference in the verdict line). */
  heapLimitBytes?: number;
  /** Each isolate's own verdict (main first), when the process runs worker threads. */
  isolates?: IsolateReport[];
  /** A launched tree of several processes: one entry each, and where the chart changed process. */
  processes?: ProcessesBody;
}

/** A recording reopened read-only: the same content as init, always readOnly. */
export interface RecordingLoadedMessage extends Omit<InitMessage, 'type' | 'readOnly'> {
  type: 'recordingLoaded';
  readOnly: true;
  /** Folder or file the recording was read from (shown in the header). */
  source?: string;
}

export interface StatusMessage {
  type: 'status';
  sessionId: string;
  status: { state: SessionState | string; message?: string };
  allocationSampling?: boolean;
}

/** New readings, oldest first. The host batches them (normally one per second). */
export interface SamplesMessage {
  type: 'samples';
  sessionId: string;
  samples: MemorySample[];
}

/** A single new reading: the same as `samples` with one element (kept for hosts that post per event). */
export interface SampleMessage {
  type: 'sample';
  sessionId: string;
  sample: MemorySample;
}

/** New GC events, oldest first. */
export interface GcEventsMessage {
  type: 'gcEvents';
  sessionId: string;
  gcEvents: GcEvent[];
}

/** A single GC event (same as gcEvents with one element). */
export interface GcMessage {
  type: 'gc';
  sessionId: string;
  gc: GcEvent;
}

export interface VerdictMessage {
  type: 'verdict';
  sessionId: string;
  verdict: TrendVerdict | null;
}

export interface SuspectsMessage {
  type: 'suspects';
  sessionId: string;
  suspects: Suspect[];
}

/** Each isolate's own verdict (main first); sent when the process runs worker threads. */
export interface IsolatesMessage {
  type: 'isolates';
  sessionId: string;
  isolates: IsolateReport[];
}

/** The processes of a launched tree and the chart's changes of process (restarts drawn as markers). */
export interface ProcessesBody {
  processes: ProcessReport[];
  /** The process whose series the chart shows. */
  followedPid?: number;
  changes: FollowChange[];
}

/** Sent with each verdict and status of a launched tree that holds several processes. */
export interface ProcessesMessage extends ProcessesBody {
  type: 'processes';
  sessionId: string;
}

/** One series of container history from Prometheus, drawn as an overlay behind the live series. */
export interface PrometheusSeries {
  /** e.g. "container_memory_working_set_bytes{pod="api-0"}". */
  label: string;
  /** [timeMs, bytes], oldest first. */
  points: Array<[number, number]>;
}

export interface PrometheusHistoryMessage {
  type: 'prometheusHistory';
  sessionId: string;
  series: PrometheusSeries[];
  /** Where it came from, for the legend (base URL without credentials, query). */
  source?: string;
}

/** A short line for the user (e.g. "Heap snapshot written to …", "js-debug's heap profile is running"). */
export interface NoticeMessage {
  type: 'notice';
  level: 'info' | 'warning' | 'error';
  text: string;
}

/** The view has no session to show (all stopped and closed). */
export interface ClearMessage {
  type: 'clear';
}

export type HostMessage =
  | SessionsMessage
  | InitMessage
  | RecordingLoadedMessage
  | StatusMessage
  | SamplesMessage
  | SampleMessage
  | GcEventsMessage
  | GcMessage
  | VerdictMessage
  | SuspectsMessage
  | IsolatesMessage
  | ProcessesMessage
  | PrometheusHistoryMessage
  | NoticeMessage
  | ClearMessage;

// ---------------------------------------------------------------------------------------------------
// webview → host (intents). `sessionId` omitted means "the session the view shows".

export type WebviewIntent =
  /** The view listens: the host answers with `sessions` and `init` (full state). */
  | { type: 'ready'; protocolVersion?: number }
  | { type: 'selectSession'; sessionId: string }
  | { type: 'forceGc'; sessionId?: string }
  | { type: 'takeSnapshot'; sessionId?: string }
  /** Start/stop the sampling heap profiler; `on` omitted means toggle. */
  | { type: 'toggleSampling'; sessionId?: string; on?: boolean }
  | { type: 'exportRecording'; sessionId?: string; format: 'csv' | 'json' }
  /** The last sampling profile as .heapprofile. */
  | { type: 'exportProfile'; sessionId?: string }
  /** Open a suspect's source: url as in Suspect.url (file URL, path or script URL), 1-based line/column. */
  | { type: 'openSource'; sessionId?: string; url: string; line: number; column?: number }
  | { type: 'comparePrometheus'; sessionId?: string }
  /** The user paused (false) or resumed (true) following live data; informative for the host. */
  | { type: 'setFollow'; sessionId?: string; follow: boolean }
  | { type: 'startSession' }
  | { type: 'stopSession'; sessionId?: string }
  /** A suspect's objects in the snapshot explorer (its rank in the session's suspects). */
  | { type: 'showObjects'; sessionId?: string; rank: number };

export type WebviewIntentType = WebviewIntent['type'];

// ---------------------------------------------------------------------------------------------------
// guards

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A sample is usable when its time and the five charted figures are finite numbers. */
export function isMemorySample(value: unknown): value is MemorySample {
  return (
    isRecord(value) &&
    isFiniteNumber(value.timeMs) &&
    isFiniteNumber(value.rssBytes) &&
    isFiniteNumber(value.heapTotalBytes) &&
    isFiniteNumber(value.heapUsedBytes) &&
    isFiniteNumber(value.externalBytes) &&
    isFiniteNumber(value.arrayBuffersBytes)
  );
}

export function isGcEvent(value: unknown): value is GcEvent {
  return (
    isRecord(value) &&
    isFiniteNumber(value.timeMs) &&
    typeof value.kind === 'string' &&
    isFiniteNumber(value.durationMs)
  );
}

function isSuspect(value: unknown): value is Suspect {
  return (
    isRecord(value) &&
    typeof value.functionName === 'string' &&
    typeof value.url === 'string' &&
    isFiniteNumber(value.line) &&
    isFiniteNumber(value.liveBytes) &&
    isFiniteNumber(value.growthBytesPerMinute)
  );
}

function isIsolate(value: unknown): value is IsolateReport {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    (value.kind === 'main' || value.kind === 'worker') &&
    typeof value.name === 'string' &&
    typeof value.verdict === 'string' &&
    typeof value.reason === 'string' &&
    isRecord(value.growth) &&
    isFiniteNumber(value.growth.heapBytesPerMinute) &&
    isFiniteNumber(value.growth.externalBytesPerMinute)
  );
}

function isProcess(value: unknown): value is ProcessReport {
  return (
    isRecord(value) &&
    isFiniteNumber(value.pid) &&
    Array.isArray(value.command) &&
    value.command.every((a) => typeof a === 'string') &&
    (value.role === 'app' || value.role === 'wrapper' || value.role === 'supervisor') &&
    (value.verdict === undefined || typeof value.verdict === 'string') &&
    (value.growth === undefined ||
      (isRecord(value.growth) && isFiniteNumber(value.growth.heapBytesPerMinute))) &&
    (value.endedAtSeconds === undefined || isFiniteNumber(value.endedAtSeconds))
  );
}

function isFollowChange(value: unknown): value is FollowChange {
  return (
    isRecord(value) &&
    isFiniteNumber(value.timeMs) &&
    isFiniteNumber(value.fromPid) &&
    isFiniteNumber(value.toPid) &&
    typeof value.restart === 'boolean'
  );
}

function isProcessesBody(value: unknown): value is ProcessesBody {
  return (
    isRecord(value) &&
    isArrayOf(value.processes, isProcess) &&
    isArrayOf(value.changes, isFollowChange) &&
    (value.followedPid === undefined || isFiniteNumber(value.followedPid))
  );
}

function isVerdictOrNull(value: unknown): value is TrendVerdict | null {
  return (
    value === null ||
    (isRecord(value) &&
      typeof value.verdict === 'string' &&
      isRecord(value.growth) &&
      isFiniteNumber(value.growth.heapBytesPerMinute))
  );
}

function isStatus(value: unknown): value is { state: string; message?: string } {
  return isRecord(value) && typeof value.state === 'string';
}

function isArrayOf<T>(value: unknown, guard: (v: unknown) => v is T): value is T[] {
  return Array.isArray(value) && value.every(guard);
}

function isInitLike(m: Record<string, unknown>): boolean {
  return (
    typeof m.sessionId === 'string' &&
    typeof m.name === 'string' &&
    isStatus(m.status) &&
    isArrayOf(m.samples, isMemorySample) &&
    isArrayOf(m.gcEvents, isGcEvent) &&
    isVerdictOrNull(m.verdict) &&
    isArrayOf(m.suspects, isSuspect) &&
    (m.isolates === undefined || isArrayOf(m.isolates, isIsolate)) &&
    (m.processes === undefined || isProcessesBody(m.processes))
  );
}

/** Validates a message from the host. Anything else (other extensions' messages, garbage) is false. */
export function isHostMessage(raw: unknown): raw is HostMessage {
  if (!isRecord(raw) || typeof raw.type !== 'string') return false;
  const m = raw;
  switch (m.type) {
    case 'sessions':
      return (
        Array.isArray(m.sessions) &&
        m.sessions.every((s) => isRecord(s) && typeof s.id === 'string' && typeof s.name === 'string') &&
        (m.currentId === null || typeof m.currentId === 'string')
      );
    case 'init':
    case 'recordingLoaded':
      return isInitLike(m);
    case 'status':
      return typeof m.sessionId === 'string' && isStatus(m.status);
    case 'samples':
      return typeof m.sessionId === 'string' && isArrayOf(m.samples, isMemorySample);
    case 'sample':
      return typeof m.sessionId === 'string' && isMemorySample(m.sample);
    case 'gcEvents':
      return typeof m.sessionId === 'string' && isArrayOf(m.gcEvents, isGcEvent);
    case 'gc':
      return typeof m.sessionId === 'string' && isGcEvent(m.gc);
    case 'verdict':
      return typeof m.sessionId === 'string' && isVerdictOrNull(m.verdict);
    case 'suspects':
      return typeof m.sessionId === 'string' && isArrayOf(m.suspects, isSuspect);
    case 'isolates':
      return typeof m.sessionId === 'string' && isArrayOf(m.isolates, isIsolate);
    case 'processes':
      return typeof m.sessionId === 'string' && isProcessesBody(m);
    case 'prometheusHistory':
      return (
        typeof m.sessionId === 'string' &&
        Array.isArray(m.series) &&
        m.series.every(
          (s) =>
            isRecord(s) &&
            typeof s.label === 'string' &&
            Array.isArray(s.points) &&
            s.points.every((p) => Array.isArray(p) && isFiniteNumber(p[0]) && isFiniteNumber(p[1])),
        )
      );
    case 'notice':
      return (
        (m.level === 'info' || m.level === 'warning' || m.level === 'error') && typeof m.text === 'string'
      );
    case 'clear':
      return true;
    default:
      return false;
  }
}

const SIMPLE_INTENTS = new Set([
  'forceGc',
  'takeSnapshot',
  'exportProfile',
  'comparePrometheus',
  'stopSession',
]);

/**
 * Validates an intent from the webview (the host must treat the webview as untrusted input: it shows
 * strings from the target). Returns a clean copy with only the known fields, or undefined.
 */
export function parseWebviewIntent(raw: unknown): WebviewIntent | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  const m = raw;
  const session = typeof m.sessionId === 'string' && m.sessionId ? { sessionId: m.sessionId } : {};
  switch (m.type) {
    case 'ready':
      return isFiniteNumber(m.protocolVersion)
        ? { type: 'ready', protocolVersion: m.protocolVersion }
        : { type: 'ready' };
    case 'startSession':
      return { type: 'startSession' };
    case 'selectSession':
      return typeof m.sessionId === 'string' && m.sessionId
        ? { type: 'selectSession', sessionId: m.sessionId }
        : undefined;
    case 'toggleSampling':
      return { type: 'toggleSampling', ...session, ...(typeof m.on === 'boolean' ? { on: m.on } : {}) };
    case 'exportRecording':
      return m.format === 'csv' || m.format === 'json'
        ? { type: 'exportRecording', ...session, format: m.format }
        : undefined;
    case 'openSource':
      if (typeof m.url !== 'string' || !m.url || !isFiniteNumber(m.line) || m.line < 0) return undefined;
      return {
        type: 'openSource',
        ...session,
        url: m.url,
        line: Math.floor(m.line),
        ...(isFiniteNumber(m.column) && m.column >= 0 ? { column: Math.floor(m.column) } : {}),
      };
    case 'setFollow':
      return typeof m.follow === 'boolean' ? { type: 'setFollow', ...session, follow: m.follow } : undefined;
    case 'showObjects':
      return isFiniteNumber(m.rank) && Number.isInteger(m.rank) && m.rank > 0
        ? { type: 'showObjects', ...session, rank: m.rank }
        : undefined;
    default:
      return typeof m.type === 'string' && SIMPLE_INTENTS.has(m.type)
        ? ({ type: m.type, ...session } as WebviewIntent)
        : undefined;
  }
}
