// Messages between the allocation flame graph (a custom editor's webview for `.heapprofile`) and the
// extension host. The host reads and lays out the profile (src/core/heapprofile) and sends the
// frames; the webview draws them and asks the host to open code. Plain JSON, checked on arrival.
import type { FlameGraph, FunctionTotal, GrowthSite } from '../core/heapprofile/flameGraph';

export type {
  FlameFrame,
  FlameGraph,
  FrameCategory,
  FunctionTotal,
  GrowthSite,
} from '../core/heapprofile/flameGraph';

export type FlameHostMessage =
  | {
      type: 'flame';
      fileName: string;
      graph: FlameGraph;
      functions: FunctionTotal[];
      /** A live session's growing allocation sites (its suspects): the growth colouring. */
      growth?: GrowthSite[];
    }
  | { type: 'flameFailed'; fileName: string; message: string };

export type FlameIntent =
  { type: 'ready' } | { type: 'openSource'; url: string; line: number; column?: number };

export function parseFlameIntent(raw: unknown): FlameIntent | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  if (m.type === 'ready') return { type: 'ready' };
  if (m.type === 'openSource' && typeof m.url === 'string' && typeof m.line === 'number')
    return {
      type: 'openSource',
      url: m.url,
      line: m.line,
      ...(typeof m.column === 'number' ? { column: m.column } : {}),
    };
  return undefined;
}

export function isFlameHostMessage(raw: unknown): raw is FlameHostMessage {
  return typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string';
}
