// The on-disk recording of a session: one JSON line per event, appended as it arrives (a crash, a
// SIGKILL or a power cut loses at most the line being written), plus a small meta.json. Profiles are
// stored compactly: each distinct stack is written once as a "stack" line and sites refer to it.
// Format: docs/recording.md.
import { closeSync, fsyncSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeapscopeError } from '../errors';
import { redactTarget } from '../redact';
import { frameKey } from '../sampling/profile';
import type {
  AllocationProfileReading,
  GcEvent,
  MemorySample,
  RawFrame,
  ReportV1,
  Suspect,
  TargetInfo,
  TrendVerdict,
} from '../types';
import type { SessionStatus } from './api';

export const RECORDING_FORMAT = 'heapscope-recording';
export const RECORDING_VERSION = 1;
export const EVENTS_FILE = 'events.jsonl';
export const META_FILE = 'meta.json';
export const REPORT_FILE = 'report.json';

export interface RecordingMeta {
  format: typeof RECORDING_FORMAT;
  version: typeof RECORDING_VERSION;
  id: string;
  startedAt: string;
  target: TargetInfo;
  options: { metricsIntervalMs: number; samplingIntervalBytes: number; profileIntervalMs: number };
}

/** One line of events.jsonl. */
export type RecordingLine =
  | { t: 'sample'; d: MemorySample }
  | { t: 'gc'; d: GcEvent[] }
  | { t: 'stack'; d: { id: number; frames: RawFrame[] } }
  | {
      t: 'profile';
      d: { timeMs: number; sites: Array<[stackId: number, liveBytes: number, sampleCount: number]> };
    }
  | { t: 'verdict'; d: TrendVerdict; at: number }
  | { t: 'suspects'; d: Suspect[]; at: number }
  | { t: 'status'; d: SessionStatus; at: number };

export class RecordingWriter {
  private fd: number | undefined;
  private readonly stackIds = new Map<string, number>();
  private failed = false;

  constructor(
    readonly dir: string,
    meta: RecordingMeta,
    private readonly log?: (line: string) => void,
  ) {
    mkdirSync(dir, { recursive: true });
    // Credentials never reach the disk: URL user:password and secret-looking arguments are redacted.
    writeFileSync(
      join(dir, META_FILE),
      JSON.stringify({ ...meta, target: redactTarget(meta.target) }, null, 2) + '\n',
    );
    this.fd = openSync(join(dir, EVENTS_FILE), 'a');
  }

  sample(sample: MemorySample): void {
    this.line({ t: 'sample', d: sample });
  }

  gc(events: GcEvent[]): void {
    if (events.length) this.line({ t: 'gc', d: events });
  }

  profile(reading: AllocationProfileReading): void {
    const sites: Array<[number, number, number]> = [];
    for (const site of reading.sites) {
      let id = this.stackIds.get(site.key);
      if (id === undefined) {
        id = this.stackIds.size + 1;
        this.stackIds.set(site.key, id);
        this.line({ t: 'stack', d: { id, frames: site.stack } });
      }
      sites.push([id, site.liveBytes, site.sampleCount]);
    }
    this.line({ t: 'profile', d: { timeMs: reading.timeMs, sites } });
  }

  verdict(verdict: TrendVerdict): void {
    this.line({ t: 'verdict', d: verdict, at: Date.now() });
  }

  suspects(suspects: readonly Suspect[]): void {
    this.line({ t: 'suspects', d: [...suspects], at: Date.now() });
  }

  status(status: SessionStatus): void {
    this.line({ t: 'status', d: status, at: Date.now() });
  }

  /** The final report next to the events (written once, at stop). */
  report(report: ReportV1): void {
    try {
      writeFileSync(join(this.dir, REPORT_FILE), JSON.stringify(report, null, 2) + '\n');
    } catch (error) {
      this.fail(error);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      fsyncSync(this.fd);
    } catch {
      // Some file systems refuse fsync; the data is written either way.
    }
    closeSync(this.fd);
    this.fd = undefined;
  }

  private line(line: RecordingLine): void {
    if (this.fd === undefined || this.failed) return;
    try {
      // One write per line, synchronously: the line is in the kernel before the event is emitted, so
      // a crash of the host right after still leaves it on disk.
      writeSync(this.fd, JSON.stringify(line) + '\n');
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    this.failed = true;
    this.log?.(`heapscope: recording to ${this.dir} stopped: ${(error as Error).message}`);
  }
}

export interface RecordingData {
  dir: string;
  meta: RecordingMeta;
  samples: MemorySample[];
  gcEvents: GcEvent[];
  profiles: AllocationProfileReading[];
  verdicts: TrendVerdict[];
  suspects: Suspect[];
  statuses: SessionStatus[];
  report?: ReportV1;
  /** The last line was cut (the writer died mid-line) and was skipped. */
  truncated: boolean;
  /** Lines that could not be read (other than a cut last line). */
  skippedLines: number;
}

export async function readRecording(dir: string): Promise<RecordingData> {
  let meta: RecordingMeta;
  try {
    meta = JSON.parse(await readFile(join(dir, META_FILE), 'utf8')) as RecordingMeta;
  } catch (error) {
    throw new HeapscopeError(
      'usage',
      `${dir} is not a Heapscope recording (no readable ${META_FILE}): ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (meta.format !== RECORDING_FORMAT || meta.version !== RECORDING_VERSION) {
    throw new HeapscopeError(
      'usage',
      `${dir} holds a recording in an unknown format (${meta.format} v${meta.version}); this Heapscope reads v${RECORDING_VERSION}.`,
    );
  }
  let text = '';
  try {
    text = await readFile(join(dir, EVENTS_FILE), 'utf8');
  } catch {
    // A session that died before its first event: an empty recording.
  }
  const data: RecordingData = {
    dir,
    meta,
    samples: [],
    gcEvents: [],
    profiles: [],
    verdicts: [],
    suspects: [],
    statuses: [],
    truncated: false,
    skippedLines: 0,
  };
  const stacks = new Map<number, RawFrame[]>();
  const lines = text.split('\n');
  const lastIndex = text.endsWith('\n') ? lines.length - 2 : lines.length - 1;
  lines.forEach((raw, index) => {
    if (!raw.trim()) return;
    let line: RecordingLine;
    try {
      line = JSON.parse(raw) as RecordingLine;
    } catch {
      if (index === lastIndex && !text.endsWith('\n')) data.truncated = true;
      else data.skippedLines++;
      return;
    }
    switch (line.t) {
      case 'sample':
        data.samples.push(line.d);
        break;
      case 'gc':
        data.gcEvents.push(...line.d);
        break;
      case 'stack':
        stacks.set(line.d.id, line.d.frames);
        break;
      case 'profile':
        data.profiles.push({
          timeMs: line.d.timeMs,
          sites: line.d.sites.flatMap(([id, liveBytes, sampleCount]) => {
            const stack = stacks.get(id);
            if (!stack) return [];
            return [{ key: stackKeyOf(stack), stack, liveBytes, sampleCount }];
          }),
        });
        break;
      case 'verdict':
        data.verdicts.push(line.d);
        break;
      case 'suspects':
        data.suspects = line.d;
        break;
      case 'status':
        data.statuses.push(line.d);
        break;
      default:
        data.skippedLines++;
    }
  });
  try {
    data.report = JSON.parse(await readFile(join(dir, REPORT_FILE), 'utf8')) as ReportV1;
  } catch {
    // No report: the session did not reach stop (crash, SIGKILL); the events are what there is.
  }
  return data;
}

function stackKeyOf(stack: RawFrame[]): string {
  return stack.map(frameKey).join('<');
}
