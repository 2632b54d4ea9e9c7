// Messages between the heap snapshot explorer (a custom editor's webview) and the extension host.
// The webview asks questions (ExplorerQuery, answered by the worker that holds the graph) and the
// host answers them by id; the graph itself never crosses over. Plain JSON both ways; both sides
// check what they receive and ignore what they do not understand.
import type {
  ClassRow,
  ExplorerQuery,
  ProvisionalTable,
  SnapshotInfo,
} from '../core/heapsnapshot/queries/types';

export type {
  ClassRow,
  ClassSort,
  Comparison,
  ComparisonRow,
  ExplorerAnswer,
  ExplorerAnswers,
  ExplorerQuery,
  ObjectRow,
  ObjectSort,
  Page,
  ProvisionalTable,
  RetainerRow,
  RetainerTree,
  SnapshotInfo,
} from '../core/heapsnapshot/queries/types';
export type { SourceFrame } from '../core/types';

// ---------------------------------------------------------------------------------------------------
// host → webview

export type ExplorerHostMessage =
  /** Loading: reading the file (fraction 0..1) or an analysis phase. */
  | { type: 'loading'; phase: string; fraction?: number; fileName: string }
  /**
   * Parsed, still analysing: the class table with counts and shallow sizes (no retained sizes, no
   * distances yet); the loading messages that follow say how the analysis goes, then 'loaded'.
   */
  | { type: 'provisional'; table: ProvisionalTable; fileName: string }
  /** Loaded, with the first table (every class, largest retained first) when the host has it. */
  | { type: 'loaded'; info: SnapshotInfo; fileName: string; classes?: ClassRow[] }
  /** The file cannot be shown: truncated, malformed, out of memory. The message says what to do. */
  | { type: 'loadFailed'; code: string; message: string; fileName: string }
  /**
   * `ms`: time in the worker and host (`workerMs` of it in the worker's query itself);
   * `receivedAt`/`answeredAt`: the host's clock (epoch ms) when the query arrived and the answer
   * left, so the webview can tell transport delays from work.
   */
  | {
      type: 'answer';
      id: number;
      answer: unknown;
      ms: number;
      workerMs?: number;
      receivedAt: number;
      answeredAt: number;
    }
  | { type: 'failed'; id: number; message: string }
  /** Files the user picked to compare against (oldest first), or none. */
  | { type: 'picked'; id: number; files: string[] }
  /**
   * Show this class (a suspect's "show objects") or this object; `path`: select the class's
   * largest object, which opens its retainer path (a holder's CodeLens); `via`: the largest one
   * held through this variable or property (the holder's name).
   */
  | { type: 'focus'; className?: string; id?: number; path?: boolean; via?: string };

// ---------------------------------------------------------------------------------------------------
// webview → host

export type ExplorerIntent =
  | { type: 'ready' }
  | { type: 'query'; id: number; query: ExplorerQuery }
  | { type: 'openSource'; url: string; line: number; column?: number }
  /** Asks the host for one or two earlier snapshots to compare with (a file dialog). */
  | { type: 'pickBaseline'; id: number };

const QUERY_KINDS = new Set<ExplorerQuery['kind']>([
  'info',
  'classes',
  'objects',
  'object',
  'findId',
  'find',
  'searchStrings',
  'retainers',
  'retainerPath',
  'retainerTree',
  'dominated',
  'largestHeldVia',
  'subtree',
  'ignore',
  'compare',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The webview's message, checked; undefined for anything else. */
export function parseExplorerIntent(raw: unknown): ExplorerIntent | undefined {
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready':
      return { type: 'ready' };
    case 'query': {
      const query = raw.query;
      if (typeof raw.id !== 'number' || !isRecord(query) || typeof query.kind !== 'string') return undefined;
      if (!QUERY_KINDS.has(query.kind as ExplorerQuery['kind'])) return undefined;
      // The compare query names files: only those the user picked in the host's dialog are read
      // (the host checks), the others are numbers and strings the worker validates.
      return { type: 'query', id: raw.id, query: query as ExplorerQuery };
    }
    case 'openSource':
      if (typeof raw.url !== 'string' || typeof raw.line !== 'number') return undefined;
      return {
        type: 'openSource',
        url: raw.url,
        line: raw.line,
        ...(typeof raw.column === 'number' ? { column: raw.column } : {}),
      };
    case 'pickBaseline':
      return typeof raw.id === 'number' ? { type: 'pickBaseline', id: raw.id } : undefined;
    default:
      return undefined;
  }
}

export function isExplorerHostMessage(raw: unknown): raw is ExplorerHostMessage {
  return isRecord(raw) && typeof raw.type === 'string';
}
