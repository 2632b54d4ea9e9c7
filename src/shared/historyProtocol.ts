// Messages between the extension host and the Prometheus history view (webview/history). Separate from
// the live view's protocol: the two views show different things on different time scales (days vs
// minutes) and evolve apart. Plain JSON only.
import type { Verdict } from '../core/types';
import type { PromHistory } from './prometheusTypes';

export const HISTORY_PROTOCOL_VERSION = 1;

/** The live session on the same pod, when one runs: drawn as a marker and figures beside the chart. */
export interface HistoryLiveFigures {
  sessionName: string;
  /** When the session started (Unix ms): the marker on the history's time axis. */
  startedAtMs: number;
  state: string;
  /** The newest reading (Unix ms) and its figures. */
  sampleTimeMs?: number;
  heapUsedBytes?: number;
  rssBytes?: number;
  verdict?: Verdict;
  heapBytesPerMinute?: number;
}

export type HistoryHostMessage =
  | { type: 'loading'; title: string }
  | { type: 'history'; title: string; history: PromHistory }
  | { type: 'error'; title: string; text: string }
  | { type: 'live'; live: HistoryLiveFigures | null };

export type HistoryIntent =
  | { type: 'ready'; protocolVersion: number }
  | { type: 'export'; format: 'csv' | 'json' }
  | { type: 'reload' }
  | { type: 'pickAnother' }
  | { type: 'attach' };

const HOST_TYPES = new Set(['loading', 'history', 'error', 'live']);

export function isHistoryHostMessage(value: unknown): value is HistoryHostMessage {
  return (
    typeof value === 'object' && value !== null && HOST_TYPES.has(String((value as { type?: unknown }).type))
  );
}

/** An intent from the webview, checked field by field (the webview shows data from remote servers). */
export function parseHistoryIntent(value: unknown): HistoryIntent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  switch (v.type) {
    case 'ready':
      return typeof v.protocolVersion === 'number'
        ? { type: 'ready', protocolVersion: v.protocolVersion }
        : undefined;
    case 'export':
      return v.format === 'csv' || v.format === 'json' ? { type: 'export', format: v.format } : undefined;
    case 'reload':
    case 'pickAnother':
    case 'attach':
      return { type: v.type };
    default:
      return undefined;
  }
}
