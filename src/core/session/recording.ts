// The on-disk recording of a session: one JSON line per event, appended whole as it arrives (a crash
// or a SIGKILL loses at most the line being written; the file is fsync'ed every few seconds and at
// close, so a power cut loses at most those seconds), plus a small meta.json. Profiles are
// stored compactly: each distinct stack is written once as a "stack" line and sites refer to it.
// Format: docs/recording.md.
import { closeSync, fsyncSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeapscopeError } from '../errors';
import { redactTarget } from '../redact';
import { isReportV1 } from '../report/validate';
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

/** How often written lines are forced to disk (fsync) while a session runs. */
export const FSYNC_INTERVAL_MS = 2000;

/** Writes all of `data`, completing short writes (a write may take fewer bytes than given). */
export function writeWhole(
  fd: number,
  data: Buffer,
  write: (fd: number, buffer: Buffer, offset: number, length: number) => number = writeSync,
): void {
  let offset = 0;
  while (offset < data.length) {
    const written = write(fd, data, offset, data.length - offset);
    if (written <= 0) throw new Error(`write returned ${written}`);
    offset += written;
  }
}

/** The message when the recording cannot go on: a full disk says so, with what to do. */
export function recordingFailure(dir: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return (
      `heapscope: the disk is full: recording to ${dir} stopped (${code}); the session goes on, unrecorded. ` +
      'What was written so far is kept. Free some space, or set another recording folder.'
    );
  return `heapscope: recording to ${dir} stopped: ${(error as Error).message}`;
}

export class RecordingWriter {
  private fd: number | undefined;
  private readonly stackIds = new Map<string, number>();
  private failed = false;
  private dirty = false;
  private readonly syncTimer: NodeJS.Timeout;

  constructor(
    readonly dir: string,
    meta: RecordingMeta,
    private readonly log?: (line: string) => void,
    /** Forces written lines to disk; tests watch it. */
    private readonly fsync: (fd: number) => void = fsyncSync,
  ) {
    mkdirSync(dir, { recursive: true });
    // Credentials never reach the disk: URL user:password and secret-looking arguments are redacted.
    writeFileSync(
      join(dir, META_FILE),
      JSON.stringify({ ...meta, target: redactTarget(meta.target) }, null, 2) + '\n',
    );
    this.fd = openSync(join(dir, EVENTS_FILE), 'a');
    this.syncTimer = setInterval(() => this.sync(), FSYNC_INTERVAL_MS);
    this.syncTimer.unref();
  }

  /** Why the recording stopped, when it did (e.g. the disk is full). */
  failure: string | undefined;

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
    clearInterval(this.syncTimer);
    if (this.fd === undefined) return;
    this.dirty = true;
    this.sync();
    closeSync(this.fd);
    this.fd = undefined;
  }

  private sync(): void {
    if (this.fd === undefined || !this.dirty) return;
    this.dirty = false;
    try {
      this.fsync(this.fd);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Some file systems refuse fsync (EINVAL); the data is written either way. A full disk is not that.
      if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EIO') this.fail(error);
    }
  }

  private line(line: RecordingLine): void {
    if (this.fd === undefined || this.failed) return;
    try {
      // The whole line, synchronously: it is in the kernel before the event is emitted, so a crash of
      // the host right after still leaves it on disk; the timer's fsync bounds what a power cut loses.
      writeWhole(this.fd, Buffer.from(JSON.stringify(line) + '\n', 'utf8'));
      this.dirty = true;
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = recordingFailure(this.dir, error);
    this.log?.(this.failure);
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
  if (
    !isObject(meta) ||
    !isString(meta.id) ||
    !isString(meta.startedAt) ||
    !isObject(meta.target) ||
    !isString(meta.target.kind)
  ) {
    throw new HeapscopeError(
      'usage',
      `${dir} is not a Heapscope recording (its ${META_FILE} has the wrong shape).`,
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
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      if (index === lastIndex && !text.endsWith('\n')) data.truncated = true;
      else data.skippedLines++;
      return;
    }
    // A line of the wrong shape (a corrupt disk, an edited or hostile file) is skipped and counted.
    const line = validLine(parsed);
    if (!line) {
      data.skippedLines++;
      return;
    }
    switch (line.t) {
      case 'sample':
        data.samples.push(line.d);
        break;
      case 'gc':
        for (const event of line.d) data.gcEvents.push(event);
        break;
      case 'stack':
        stacks.set(line.d.id, line.d.frames);
        break;
      case 'profile': {
        const sites: AllocationProfileReading['sites'] = [];
        for (const [id, liveBytes, sampleCount] of line.d.sites) {
          const stack = stacks.get(id);
          if (stack) sites.push({ key: stackKeyOf(stack), stack, liveBytes, sampleCount });
        }
        data.profiles.push({ timeMs: line.d.timeMs, sites });
        break;
      }
      case 'verdict':
        data.verdicts.push(line.d);
        break;
      case 'suspects':
        data.suspects = line.d;
        break;
      case 'status':
        data.statuses.push(line.d);
        break;
    }
  });
  try {
    const report = JSON.parse(await readFile(join(dir, REPORT_FILE), 'utf8')) as unknown;
    if (isReportV1(report)) data.report = report;
    else data.skippedLines++;
  } catch {
    // No report: the session did not reach stop (crash, SIGKILL); the events are what there is.
  }
  return data;
}

function stackKeyOf(stack: RawFrame[]): string {
  return stack.map(frameKey).join('<');
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';

function validSample(d: unknown): d is MemorySample {
  return (
    isObject(d) &&
    isNumber(d.timeMs) &&
    isNumber(d.rssBytes) &&
    isNumber(d.heapTotalBytes) &&
    isNumber(d.heapUsedBytes) &&
    isNumber(d.externalBytes) &&
    isNumber(d.arrayBuffersBytes) &&
    (d.spaces === undefined || (isObject(d.spaces) && Object.values(d.spaces).every(isNumber))) &&
    (d.heapLimitBytes === undefined || isNumber(d.heapLimitBytes))
  );
}

function validGc(d: unknown): d is GcEvent {
  return (
    isObject(d) &&
    isNumber(d.timeMs) &&
    isString(d.kind) &&
    isNumber(d.durationMs) &&
    isNumber(d.heapUsedAfterBytes)
  );
}

function validRawFrame(d: unknown): d is RawFrame {
  return (
    isObject(d) &&
    isString(d.functionName) &&
    isString(d.scriptId) &&
    isString(d.url) &&
    isNumber(d.lineNumber) &&
    isNumber(d.columnNumber)
  );
}

function validSourceFrame(d: unknown): boolean {
  return isObject(d) && isString(d.functionName) && isString(d.url) && isNumber(d.line) && isNumber(d.column);
}

function validSuspect(d: unknown): d is Suspect {
  return (
    isObject(d) &&
    isNumber(d.rank) &&
    isString(d.kind) &&
    isString(d.functionName) &&
    isString(d.url) &&
    isNumber(d.line) &&
    isNumber(d.column) &&
    isNumber(d.liveBytes) &&
    isNumber(d.growthBytesPerMinute) &&
    Array.isArray(d.stack) &&
    d.stack.every(validSourceFrame) &&
    (d.series === undefined ||
      (Array.isArray(d.series) &&
        d.series.every((p) => Array.isArray(p) && isNumber(p[0]) && isNumber(p[1])))) &&
    (d.holder === undefined ||
      (isObject(d.holder) &&
        isString(d.holder.kind) &&
        isString(d.holder.name) &&
        Array.isArray(d.holder.path) &&
        d.holder.path.every(isString) &&
        (d.holder.location === undefined || validSourceFrame(d.holder.location))))
  );
}

function validVerdict(d: unknown): d is TrendVerdict {
  return (
    isObject(d) &&
    (d.verdict === 'leak' || d.verdict === 'no-leak' || d.verdict === 'inconclusive') &&
    isObject(d.growth) &&
    isNumber(d.growth.heapBytesPerMinute) &&
    isNumber(d.growth.externalBytesPerMinute) &&
    isNumber(d.growth.confidence) &&
    isString(d.reason)
  );
}

function validStatus(d: unknown): d is SessionStatus {
  return isObject(d) && isString(d.state) && (d.message === undefined || isString(d.message));
}

/** The line when its shape is one the writer writes; undefined otherwise. */
export function validLine(value: unknown): RecordingLine | undefined {
  if (!isObject(value)) return undefined;
  const d = value.d;
  switch (value.t) {
    case 'sample':
      return validSample(d) ? (value as RecordingLine) : undefined;
    case 'gc':
      return Array.isArray(d) && d.every(validGc) ? (value as RecordingLine) : undefined;
    case 'stack':
      return isObject(d) && isNumber(d.id) && Array.isArray(d.frames) && d.frames.every(validRawFrame)
        ? (value as RecordingLine)
        : undefined;
    case 'profile':
      return isObject(d) &&
        isNumber(d.timeMs) &&
        Array.isArray(d.sites) &&
        d.sites.every((s) => Array.isArray(s) && s.length === 3 && s.every(isNumber))
        ? (value as RecordingLine)
        : undefined;
    case 'verdict':
      return validVerdict(d) ? (value as RecordingLine) : undefined;
    case 'suspects':
      return Array.isArray(d) && d.every(validSuspect) ? (value as RecordingLine) : undefined;
    case 'status':
      return validStatus(d) ? (value as RecordingLine) : undefined;
    default:
      return undefined;
  }
}
