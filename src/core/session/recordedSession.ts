// A recording reopened from disk, behind the same MemorySessionApi as a live session so every face
// shows it with the same code; everything that would touch a target says it is read-only.
import { EventEmitter } from 'node:events';
import { HeapscopeError } from '../errors';
import { diskSourceMaps } from '../heapprofile/sourceMapped';
import { analyzeTrend } from '../leak';
import { buildReport } from '../report';
import type {
  GcEvent,
  MemorySample,
  ProcessReport,
  RawFrame,
  ReportV1,
  SourceFrame,
  Suspect,
  TargetInfo,
  TrendVerdict,
} from '../types';
import type { HolderOutcome, MemorySessionApi, SessionEvents, SessionStatus, SnapshotRisk } from './api';
import { readRecording, type RecordingData } from './recording';

export class RecordedSession extends EventEmitter<SessionEvents> implements MemorySessionApi {
  readonly id: string;
  readonly target: TargetInfo;
  readonly status: SessionStatus;
  readonly samples: readonly MemorySample[];
  readonly gcEvents: readonly GcEvent[];
  readonly verdict: TrendVerdict | undefined;
  readonly suspects: readonly Suspect[];
  readonly recordingDir: string;
  readonly allocationSampling = false;
  private readonly diskMaps = diskSourceMaps();

  constructor(readonly data: RecordingData) {
    super();
    this.id = data.meta.id;
    this.target = { ...data.meta.target };
    this.recordingDir = data.dir;
    this.samples = data.samples;
    this.gcEvents = data.gcEvents;
    this.suspects = data.report?.suspects ?? data.suspects;
    this.verdict =
      data.verdicts[data.verdicts.length - 1] ??
      (data.samples.length ? analyzeTrend({ samples: data.samples, gcEvents: data.gcEvents }) : undefined);
    const last = data.statuses[data.statuses.length - 1];
    const ended = last && (last.state === 'stopped' || last.state === 'target-exited') ? last : undefined;
    this.status = {
      state: ended?.state ?? 'stopped',
      message:
        `Recording ${data.dir} (read-only)` +
        (data.truncated ? '; its last line was cut off and skipped' : '') +
        (data.skippedLines
          ? `; ${data.skippedLines} line${data.skippedLines === 1 ? '' : 's'} could not be read and ${data.skippedLines === 1 ? 'was' : 'were'} skipped`
          : '') +
        '.',
    };
  }

  /** A launched tree's recording: its processes, as its report lists them (the view's lines). */
  get processes(): ProcessReport[] | undefined {
    const processes = this.data.report?.processes;
    return processes && processes.length > 1 ? processes : undefined;
  }

  async start(): Promise<void> {
    throw readOnly('start');
  }
  async stop(): Promise<ReportV1> {
    return this.report();
  }
  async forceGc(): Promise<void> {
    throw readOnly('force a garbage collection');
  }
  async setAllocationSampling(): Promise<void> {
    throw readOnly('change allocation sampling');
  }
  async takeHeapSnapshot(): Promise<string> {
    throw readOnly('take a heap snapshot');
  }
  async exportHeapProfile(): Promise<string> {
    throw readOnly('export a heap profile');
  }
  /** A recording has no target: the scripts and their maps are read from the disk. */
  resolveFrame(frame: RawFrame): Promise<SourceFrame> {
    return this.diskMaps.resolveFrame(frame);
  }
  originalSource(frame: RawFrame, url: string): Promise<string | undefined> {
    return this.diskMaps.originalSource(frame, url);
  }
  async snapshotRisk(): Promise<SnapshotRisk> {
    throw readOnly('take a heap snapshot');
  }
  async nameHolders(): Promise<HolderOutcome> {
    return { kind: 'cancelled', reason: 'this is a recording, opened read-only' };
  }
  abandon(): void {
    // Nothing runs behind a recording.
  }

  report(): ReportV1 {
    if (this.data.report) return this.data.report;
    const startedAtMs = Date.parse(this.data.meta.startedAt);
    const lastTime = this.samples[this.samples.length - 1]?.timeMs ?? startedAtMs;
    return buildReport({
      target: this.target,
      startedAtMs,
      endedAtMs: lastTime,
      samples: this.samples,
      gcEvents: this.gcEvents,
      verdict: this.verdict,
      suspects: this.suspects,
    });
  }
}

function readOnly(what: string): HeapscopeError {
  return new HeapscopeError('usage', `Cannot ${what}: this is a recording, opened read-only.`);
}

/** Opens a recording folder (a truncated last line is tolerated) as a read-only session. */
export async function openRecording(dir: string): Promise<RecordedSession> {
  return new RecordedSession(await readRecording(dir));
}
