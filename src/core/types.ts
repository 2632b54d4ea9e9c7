// Shared vocabulary of the engine. Every module of src/core, the CLI, the extension and the webview
// speak these types; keep them plain data (JSON-serialisable) so they cross worker, webview and
// recording boundaries unchanged. Figures carry their unit in their name.

/** One reading of the target's memory, taken once per metrics interval with a fixed expression. */
export interface MemorySample {
  /** Wall-clock time of the reading in the target, milliseconds since the epoch. */
  timeMs: number;
  rssBytes: number;
  heapTotalBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  /** V8 heap spaces (new_space, old_space, large_object_space, ...), used bytes per space. */
  spaces?: Record<string, number>;
  /** v8.getHeapStatistics().heap_size_limit, when known. */
  heapLimitBytes?: number;
}

export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb' | 'unknown';

/** A garbage collection observed in the target (pushed by a PerformanceObserver, not polled). */
export interface GcEvent {
  /** When the GC ended, milliseconds since the epoch. */
  timeMs: number;
  kind: GcKind;
  durationMs: number;
  /** heapUsed right after this GC: the "floor" the leak verdict is computed from. */
  heapUsedAfterBytes: number;
  /** external memory right after this GC. */
  externalAfterBytes?: number;
}

/** A frame as reported to the user: 1-based line and column, after source maps. */
export interface SourceFrame {
  functionName: string;
  /** file:// URL, absolute path, or script URL as V8 knows it (after source-map resolution). */
  url: string;
  /** 1-based. 0 when unknown. */
  line: number;
  /** 1-based. 0 when unknown. */
  column: number;
  /** Where this frame was folded from (node internals or node_modules code it stands for). */
  foldedFrom?: string;
}

/** One allocation site in one sampling-heap-profile reading: live (still reachable) sampled bytes. */
export interface AllocationSiteReading {
  /** Stable key of the site: the whole stack, top frame first, joined (raw V8 positions). */
  key: string;
  /** Stack as V8 reported it, top (allocating) frame first, raw 0-based positions, raw URLs. */
  stack: RawFrame[];
  liveBytes: number;
  /** Number of live samples at this site (not objects: samples). */
  sampleCount: number;
}

/** A call frame exactly as V8's sampling heap profiler gives it (0-based line and column). */
export interface RawFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** A reading of the whole sampling heap profile, reduced to its allocation sites. */
export interface AllocationProfileReading {
  timeMs: number;
  sites: AllocationSiteReading[];
}

export type Verdict = 'leak' | 'no-leak' | 'inconclusive';

export interface Growth {
  /** Slope of the post-GC heap floor. */
  heapBytesPerMinute: number;
  /** Slope of external memory (Buffers, ArrayBuffers and other off-heap memory tracked by V8). */
  externalBytesPerMinute: number;
  /** 0..1: how sure the verdict is (see README "How the verdict is reached"). */
  confidence: number;
}

export interface TrendVerdict {
  verdict: Verdict;
  growth: Growth;
  /** Estimated minutes until the heap limit is reached at this rate, when a limit is known. */
  minutesToHeapLimit?: number;
  /** One sentence a person can read: why this verdict. */
  reason: string;
}

/** One change of the verdict shown while observing (ReportV1.verdictHistory). */
export interface VerdictChange {
  /** Seconds since the start of observation. */
  atSeconds: number;
  verdict: Verdict;
  /** 0..1, as shown; 0 for inconclusive. */
  confidence: number;
  reason: string;
}

export type SuspectKind = 'heap' | 'external';

/** What keeps a suspect's objects alive, found through retainers in a heap snapshot. */
export interface Holder {
  /** e.g. 'Array', 'Map', 'Set', 'EventEmitter listeners', 'closure', 'Timeout', 'Error', 'Promise'. */
  kind: string;
  /** The variable, property or registration name, e.g. 'cache' or 'requests' or '_events.data'. */
  name: string;
  /** Retainer path from a GC root down to the kept objects, outermost first, as readable steps. */
  path: string[];
  /** Where the holder is declared, when it can be found. */
  location?: SourceFrame;
  /** Number of kept objects reached through this holder, and their retained bytes. */
  count?: number;
  retainedBytes?: number;
}

export interface Suspect {
  rank: number;
  kind: SuspectKind;
  functionName: string;
  url: string;
  line: number;
  column: number;
  /**
   * Where inside the function (1-based, same file as `url`) the growing allocations most likely
   * happen, when it can be told: the biggest contributing stack had builtins or internals above the
   * function (`stack[0].foldedFrom`, e.g. `repeat`, `push`, `Buffer.alloc`), and the function's body
   * calls that name exactly once (or only on one line). `line`/`column` above stay the function's.
   */
  allocation?: {
    line: number;
    column: number;
    /** The call as written, when short: `'x'.repeat`, `Buffer.alloc`, `new Map`. */
    callee?: string;
    /** How the line was found: a call to the folded callee in the function's source text. */
    how: 'callee-in-source';
  };
  liveBytes: number;
  growthBytesPerMinute: number;
  /** User-code stack, top first, internals folded. */
  stack: SourceFrame[];
  holder?: Holder;
  /** When the reported location is a best guess (e.g. the inlined callee could not be recovered). */
  note?: string;
  /** Live-bytes series of this site, [timeMs, bytes], for sparklines. */
  series?: Array<[number, number]>;
  /** The isolate that allocates it: `main`, or a worker thread's id (ReportV1.isolates). */
  isolate?: string;
  /**
   * Off-heap suspects: the backing-store growth attributed to this site, an estimate kept apart
   * from the sampled `liveBytes`/`growthBytesPerMinute` (which count the JS wrappers only).
   */
  offHeap?: {
    /** The isolate's ArrayBuffer backing-store growth × `share`. */
    attributedGrowthBytesPerMinute: number;
    /** This site's part (0..1) of the sampled wrapper growth of the isolate's off-heap suspects. */
    share: number;
    method: 'array-buffers-by-sampled-wrappers';
  };
  /** The process that allocates it, when a launched tree ran several (ReportV1.processes). */
  pid?: number;
}

/** One isolate of the observed process: the main thread or a worker thread. */
export interface IsolateReport {
  /** `main`, or the worker's threadId. */
  id: string;
  kind: 'main' | 'worker';
  /** The worker's name or title; `main` for the main thread. */
  name: string;
  /** The script a worker runs. */
  url?: string;
  verdict: Verdict;
  reason: string;
  growth: Growth;
  samples: number;
  lastSample?: MemorySample;
  /** A worker that ended before the report. */
  ended?: boolean;
}

/** One Node process of a launched tree (ReportV1.processes). */
export interface ProcessReport {
  pid: number;
  ppid?: number;
  /** Its command line (argv, credentials redacted). */
  command: string[];
  /** app: does the work; wrapper: only starts and waits (not observed); supervisor: parent of others. */
  role: 'app' | 'wrapper' | 'supervisor';
  /** For a wrapper: which (`npm`, `npx`, `tsx`, `nodemon`, `node --watch` …). */
  wrapper?: string;
  /** Its own verdict (absent for a wrapper: not observed). */
  verdict?: Verdict;
  reason?: string;
  growth?: Growth;
  samples: number;
  lastSample?: MemorySample;
  /** Seconds from the start of the session: when it was found, and when it ended. */
  startedAtSeconds: number;
  endedAtSeconds?: number;
  /** How many suspects of `suspects[]` are its own. */
  suspects: number;
  /** Its isolates, when it ran worker threads. */
  isolates?: IsolateReport[];
}

/**
 * The live chart changed process (a launched tree): from `timeMs` on, its series is `toPid`'s, drawn
 * apart from `fromPid`'s (a gap, never one line across both).
 */
export interface FollowChange {
  /** When the chart started following `toPid` (ms since epoch). */
  timeMs: number;
  fromPid: number;
  toPid: number;
  /** `toPid` replaced `fromPid` (a watcher's restart, a replaced cluster worker). */
  restart: boolean;
}

/** Describes what was observed. */
export interface TargetInfo {
  /** How the target was reached. */
  kind: 'launch' | 'attach' | 'pid' | 'k8s' | 'debug-session' | 'prometheus' | 'recording';
  /** Inspector WebSocket URL (never credentials). */
  inspectorUrl?: string;
  pid?: number;
  command?: string[];
  title?: string;
  nodeVersion?: string;
  /** For k8s targets: namespace/pod/container. */
  pod?: string;
}

/** Version 1 of the report written by `heapscope check --json` (documented in README). */
export interface ReportV1 {
  schema: 1;
  tool: { name: 'heapscope'; version: string };
  target: TargetInfo;
  startedAt: string;
  durationSeconds: number;
  verdict: Verdict;
  reason: string;
  growth: Growth;
  minutesToHeapLimit?: number;
  heapLimitBytes?: number;
  suspects: Suspect[];
  samples: number;
  gcEvents: number;
  /** Set when the target exited (or the connection dropped) before the planned end. */
  targetExited?: { atSeconds: number; exitCode?: number | null; signal?: string | null; message: string };
  /** Heap snapshots taken during the run (to name holders), with their pause on the target. */
  snapshots?: Array<{ file?: string; takenAtSeconds: number; pauseMs: number; purpose: string }>;
  /** Set when the holder snapshots were called for but skipped because the JS heap was too large. */
  holdersSkipped?: { heapUsedBytes: number; limitBytes: number; reason: string };
  /** Last memory sample. */
  lastSample?: MemorySample;
  /** Every change of the verdict shown while observing, oldest first (the last is `verdict`). */
  verdictHistory?: VerdictChange[];
  /** Each isolate's own verdict, when the process ran worker threads (main first). */
  isolates?: IsolateReport[];
  /**
   * Share (0..1) of each rising floor's growth that the suspects' growth accounts for. The off-heap
   * share counts the attributed backing stores (Suspect.offHeap); `externalSampledShare` the sampled
   * wrapper growth only.
   */
  explained?: { heapShare?: number; externalShare?: number; externalSampledShare?: number };
  /** Each Node process of a launched tree, when there was more than one (wrappers included). */
  processes?: ProcessReport[];
  /** An observed process ended and another took its place (a watcher's restart, a replaced worker). */
  restarts?: Array<{ atSeconds: number; endedPid: number; nextPid?: number; gapSeconds?: number }>;
}
