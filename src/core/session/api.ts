// The contract between the engine's MemorySession and its faces (CLI, extension, webview).
// The implementation lives in ./memorySession.ts; faces depend on these types only.
import type { EventEmitter } from 'node:events';
import type {
  AllocationProfileReading,
  FollowChange,
  GcEvent,
  IsolateReport,
  MemorySample,
  ProcessReport,
  RawFrame,
  ReportV1,
  SourceFrame,
  Suspect,
  TargetInfo,
  TrendVerdict,
} from '../types';

/** How to reach the process to observe. */
export type TargetSpec =
  /** Start `command args...` with the inspector on 127.0.0.1 and a free port; stop it at the end. */
  | { kind: 'launch'; command: string; args: string[]; cwd?: string; env?: Record<string, string> }
  /** An inspector that already listens: ws:// URL, host:port, or a port on 127.0.0.1. */
  | { kind: 'attach'; address: string }
  /** A running Node process: wake its inspector with SIGUSR1, then attach. */
  | { kind: 'pid'; pid: number; port?: number }
  /**
   * Connect chrome-remote-interface with these options as they are (e.g. js-debug's CDP proxy:
   * `{ target: 'ws://host:port/path', local: true }`). `shared` means another client owns the
   * connection's domains: never disable a domain, and tolerate one already in use.
   */
  | { kind: 'cdp'; options: { target: string; local?: boolean }; shared?: boolean; title?: string }
  /** A pod: the k8s module opens a port-forward and gives an inspector URL (see src/core/k8s). */
  | {
      kind: 'k8s';
      namespace: string;
      pod: string;
      container?: string;
      context?: string;
      kubeconfig?: string;
    };

export interface SessionOptions {
  target: TargetSpec;
  /** Memory reading period. Default 1000 ms. */
  metricsIntervalMs?: number;
  /** Sampling heap profiler interval in bytes (HeapProfiler.startSampling). */
  samplingIntervalBytes?: number;
  /** Read the sampling profile this often. */
  profileIntervalMs?: number;
  /** Allocation sampling on from the start (default true). */
  allocationSampling?: boolean;
  /** Folder to append the recording to (created). Omitted: no recording. */
  recordingDir?: string;
  /** Workspace / project root, used to map script URLs to user files and to fold node_modules. */
  projectRoot?: string;
  /** Where to write log lines (the CLI's stderr in verbose mode, the extension's output channel). */
  log?: (line: string) => void;
  /** Output of a launched target, line by line (the inspector's own banner lines are left out). */
  onTargetOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Wait between the holder snapshots. Default: the leak module's (3000 ms). */
  holderSnapshotGapMs?: number;
  /**
   * Largest used JS heap for which `nameHolders` takes its snapshots (default 256 MiB; 0: no
   * limit). Above it they are skipped, with a log line: V8 serialises a snapshot over the
   * inspector at ~10 MiB/s of heap (a 341 MiB heap paused its process 34 s), three times.
   */
  holdersMaxHeapBytes?: number;
  /** A rise that reaches the heap (or container) limit within this many minutes is a leak. Default 24 h. */
  horizonMinutes?: number;
  /** The container's memory limit, when known (pods): a second limit for the horizon. */
  memoryLimitBytes?: number;
  /**
   * Arm a running target to write a heap snapshot near its heap limit (oomSnapshot.ts). A launched
   * target is armed by its caller through NODE_OPTIONS (armedNodeOptions), with the folder it chose.
   */
  armOomSnapshot?: boolean;
  /**
   * The target is stopped right after the session (a member of a launched tree): leave its
   * instrumentation in place rather than spend the stop's time removing it.
   */
  targetStopsWithSession?: boolean;
  /**
   * With armOomSnapshot: the target was armed through NODE_OPTIONS when it was launched (a member of
   * a launched tree), so it is not armed again; the Debugger domain stays off all the same.
   */
  armedAtLaunch?: boolean;
}

/** What `nameHolders` did. */
export type HolderOutcome =
  | { kind: 'named'; suspects: number }
  /** The verdict does not call for it (no growth to explain). */
  | { kind: 'not-needed'; reason: string }
  /** The heap is too large for the limit or the time budget; the report says so too. */
  | { kind: 'skipped'; reason: string }
  | { kind: 'cancelled'; reason: string }
  | { kind: 'failed'; reason: string };

/** What a heap snapshot of the target would cost now, for a face to say before capturing. */
export interface SnapshotRisk {
  heapUsedBytes: number;
  /** About how long the target's JavaScript stops. */
  pauseSeconds: number;
  /** About how much more memory the target holds while V8 writes the snapshot. */
  extraMemoryBytes: number;
  /** A pod's container memory limit and use (cgroup), when the target is a pod and they are set. */
  limitBytes?: number;
  currentBytes?: number;
  /** The snapshot could push the container over its limit (an OOM kill). */
  crossesLimit: boolean;
}

export interface HolderOptions {
  /** Give up (and say so) when the snapshots would not fit in this time, or have not finished in it. */
  budgetMs?: number;
  /** Cancel (VS Code's progress notification, a Ctrl-C). */
  signal?: AbortSignal;
  /** One line per step ("heap snapshot 2 of 3 — target paused"). */
  onStep?: (step: string) => void;
  /**
   * The observation is over (the CLI at the end of --duration): readings stop for good and the
   * report's duration ends here, before the snapshots.
   */
  final?: boolean;
}

/**
 * Above this JS heap the holder snapshots are skipped unless the user raises the limit: V8 needs
 * about 8–9× the heap in extra memory while it writes each one (capture.ts), and a 1 GiB heap pauses
 * about 100 s per snapshot. The time budget usually binds first.
 */
export const DEFAULT_HOLDERS_MAX_HEAP_BYTES = 1024 * 1024 * 1024;

/** A snapshot of a heap above this pauses the target long enough (~25 s) to ask first in the editor. */
export const CONFIRM_SNAPSHOT_HEAP_BYTES = 256 * 1024 * 1024;

/** Whether a JS heap this size is over the holder snapshots' limit (0: no limit). */
export function heapTooLargeForHolders(
  heapUsedBytes: number,
  limitBytes = DEFAULT_HOLDERS_MAX_HEAP_BYTES,
): boolean {
  return limitBytes > 0 && heapUsedBytes > limitBytes;
}

export type SessionState =
  | 'connecting'
  | 'observing'
  /** The debuggee is paused at a breakpoint: readings stop, nothing is read as a drop. */
  | 'paused'
  /** A pod's port-forward dropped: reopening it, then reattaching. */
  | 'reconnecting'
  /** V8 is writing a heap snapshot; the target's JavaScript is stopped meanwhile. */
  | 'capturing'
  /** Heap snapshots are being taken to name what holds the suspects' objects. */
  | 'naming-holders'
  | 'stopping'
  | 'stopped'
  /** The target exited or the connection dropped; what was seen is kept. */
  | 'target-exited'
  | 'error';

export interface SessionStatus {
  state: SessionState;
  message?: string;
}

/** Events a MemorySession emits, in the order data arrives. */
export interface SessionEvents {
  status: [SessionStatus];
  sample: [MemorySample];
  gc: [GcEvent];
  profile: [AllocationProfileReading];
  verdict: [TrendVerdict];
  suspects: [Suspect[]];
  log: [string];
}

export interface SnapshotProgress {
  /** Bytes written so far. */
  writtenBytes: number;
  /** done/total objects as V8 reports them while serialising, when known. */
  done?: number;
  total?: number;
}

export interface MemorySessionApi extends EventEmitter<SessionEvents> {
  readonly id: string;
  readonly target: TargetInfo;
  readonly status: SessionStatus;
  readonly samples: readonly MemorySample[];
  readonly gcEvents: readonly GcEvent[];
  readonly verdict: TrendVerdict | undefined;
  readonly suspects: readonly Suspect[];
  /** Each isolate's own verdict (main first), when the process runs worker threads. */
  readonly isolates?: readonly IsolateReport[];
  /** A launched tree of several processes: one entry each, as the report's `processes[]`. */
  readonly processes?: readonly ProcessReport[];
  /** A launched tree: where the chart's series changed process (a restart, another process followed). */
  readonly followChanges?: readonly FollowChange[];
  /** A launched tree: the chart's whole series, every process it followed (samples are the focus's only). */
  readonly chartSamples?: readonly MemorySample[];
  readonly chartGcEvents?: readonly GcEvent[];
  /** Folder of this session's recording, when recording. */
  readonly recordingDir: string | undefined;
  start(): Promise<void>;
  /**
   * Stops observing (and stops a launched target); resolves to the final report. Bounded: every
   * call to the target on the way out has a deadline, so a frozen or busy target cannot hold it.
   * Stopping during `start()` leaves nothing behind.
   */
  stop(reason?: string): Promise<ReportV1>;
  /**
   * Takes a few heap snapshots (each pauses the target) to name what holds the suspects' objects.
   * Runs only when asked; bounded by `budgetMs` and cancellable. Never throws for a target that
   * goes away or a cancel: the outcome says what happened.
   */
  nameHolders(options?: HolderOptions): Promise<HolderOutcome>;
  /**
   * Arms the running target to write a heap snapshot near its heap limit; resolves to the folder
   * it will be written to (the target's own). Absent for sessions that cannot be armed (recordings).
   */
  armHeapSnapshotNearLimit?(): Promise<string>;
  /**
   * Last resort when a face must exit at once (a second Ctrl-C, an editor shutting down): kills a
   * target this session launched, synchronously. The recording keeps what was written.
   */
  abandon(): void;
  forceGc(): Promise<void>;
  setAllocationSampling(on: boolean): Promise<void>;
  readonly allocationSampling: boolean;
  /** Streams a heap snapshot to `file`; cancellable. Resolves to the file written. */
  takeHeapSnapshot(
    file: string,
    options?: { forceGc?: boolean; onProgress?: (p: SnapshotProgress) => void; signal?: AbortSignal },
  ): Promise<string>;
  /** What a snapshot would cost now (pause, memory, a pod's limit); ask before capturing. */
  snapshotRisk(): Promise<SnapshotRisk>;
  /** The last sampling heap profile as DevTools' `.heapprofile` JSON. */
  exportHeapProfile(file: string): Promise<string>;
  /**
   * Where a frame of this session's profile is in the user's code: through the script's source map
   * (as the target runs it, so in-memory transforms too), named as the map names it.
   */
  resolveFrame(frame: RawFrame): Promise<SourceFrame>;
  /**
   * The original text of `url`, a source `resolveFrame` mapped `frame` to, as the script's source map
   * embeds it (sourcesContent); undefined when the map does not carry it.
   */
  originalSource(frame: RawFrame, url: string): Promise<string | undefined>;
  /** The report as of now (also valid while running). */
  report(): ReportV1;
}
