// Heapscope's settings as one typed object. Read through a getter so tests need no VS Code.
import { DEFAULT_HOLDERS_MAX_HEAP_BYTES } from '../core/session/api';

export interface HeapscopeSettings {
  metricsIntervalMs: number;
  /** 0: the engine's default. */
  samplingIntervalBytes: number;
  allocationSamplingAtStart: boolean;
  /** 0: off. */
  notifyGrowthBytesPerMinute: number;
  /** 0: off. */
  notifyHeapUsedBytes: number;
  autoFollowDebugSessions: boolean;
  /** Empty: the extension's global storage. */
  recordingFolder: string;
  /** 0: keep forever. */
  recordingRetentionDays: number;
  codeLens: boolean;
  problemsForConfirmedLeaks: boolean;
  /** Largest JS heap for the holder snapshots at the end of a leak session; 0: no limit. */
  holdersMaxHeapBytes: number;
}

export const DEFAULT_SETTINGS: HeapscopeSettings = {
  metricsIntervalMs: 1000,
  samplingIntervalBytes: 0,
  allocationSamplingAtStart: true,
  notifyGrowthBytesPerMinute: 1024 * 1024,
  notifyHeapUsedBytes: 1024 * 1024 * 1024,
  autoFollowDebugSessions: true,
  recordingFolder: '',
  recordingRetentionDays: 14,
  codeLens: true,
  problemsForConfirmedLeaks: false,
  holdersMaxHeapBytes: DEFAULT_HOLDERS_MAX_HEAP_BYTES,
};

/** Setting keys (under "heapscope.") for each field; package.json contributes the same keys. */
export const SETTING_KEYS: Record<keyof HeapscopeSettings, string> = {
  metricsIntervalMs: 'metrics.intervalMs',
  samplingIntervalBytes: 'sampling.intervalBytes',
  allocationSamplingAtStart: 'sampling.enabledAtStart',
  notifyGrowthBytesPerMinute: 'notifications.growthBytesPerMinute',
  notifyHeapUsedBytes: 'notifications.heapUsedBytes',
  autoFollowDebugSessions: 'debug.autoFollow',
  recordingFolder: 'recording.folder',
  recordingRetentionDays: 'recording.retentionDays',
  codeLens: 'codeLens.enabled',
  problemsForConfirmedLeaks: 'problems.confirmedLeaks',
  holdersMaxHeapBytes: 'holders.maxHeapBytes',
};

function number(value: unknown, fallback: number, min: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min ? value : fallback;
}

/** Reads every setting through `get(key)`, replacing wrong types and out-of-range values by defaults. */
export function readSettings(get: (key: string) => unknown): HeapscopeSettings {
  const d = DEFAULT_SETTINGS;
  const k = SETTING_KEYS;
  const bool = (key: string, fallback: boolean): boolean => {
    const v = get(key);
    return typeof v === 'boolean' ? v : fallback;
  };
  const folder = get(k.recordingFolder);
  return {
    metricsIntervalMs: number(get(k.metricsIntervalMs), d.metricsIntervalMs, 100),
    samplingIntervalBytes: number(get(k.samplingIntervalBytes), d.samplingIntervalBytes, 0),
    allocationSamplingAtStart: bool(k.allocationSamplingAtStart, d.allocationSamplingAtStart),
    notifyGrowthBytesPerMinute: number(get(k.notifyGrowthBytesPerMinute), d.notifyGrowthBytesPerMinute, 0),
    notifyHeapUsedBytes: number(get(k.notifyHeapUsedBytes), d.notifyHeapUsedBytes, 0),
    autoFollowDebugSessions: bool(k.autoFollowDebugSessions, d.autoFollowDebugSessions),
    recordingFolder: typeof folder === 'string' ? folder.trim() : d.recordingFolder,
    recordingRetentionDays: number(get(k.recordingRetentionDays), d.recordingRetentionDays, 0),
    codeLens: bool(k.codeLens, d.codeLens),
    problemsForConfirmedLeaks: bool(k.problemsForConfirmedLeaks, d.problemsForConfirmedLeaks),
    holdersMaxHeapBytes: number(get(k.holdersMaxHeapBytes), d.holdersMaxHeapBytes, 0),
  };
}

/** Which notifications a new sample should raise (each at most once per session). The leak
 * notification has its own rule (verdictNotifier.ts). */
export interface NotificationState {
  heapNotified: boolean;
}

export function notificationsDue(
  settings: Pick<HeapscopeSettings, 'notifyHeapUsedBytes'>,
  state: NotificationState,
  figures: { heapUsedBytes?: number },
): Array<'heap'> {
  const due: Array<'heap'> = [];
  if (
    !state.heapNotified &&
    settings.notifyHeapUsedBytes > 0 &&
    figures.heapUsedBytes !== undefined &&
    figures.heapUsedBytes >= settings.notifyHeapUsedBytes
  )
    due.push('heap');
  return due;
}
