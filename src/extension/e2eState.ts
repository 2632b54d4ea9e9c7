// The end-to-end tests' view into the extension: with HEAPSCOPE_E2E_STATE_FILE set, one JSON line of
// session state is appended per change, so a test in a real VS Code asserts figures as well as pixels.
// Nothing is written unless the variable is set.
import { appendFileSync } from 'node:fs';
import type { SessionEntry } from './sessionRegistry';

export interface E2eSessionState {
  id: string;
  name: string;
  origin: SessionEntry['origin'];
  debugSessionId?: string;
  state: string;
  /** The target's pid, when known (a launched target's, to check it is gone after a stop). */
  pid?: number;
  samples: number;
  gcEvents: number;
  verdict: string | null;
  heapBytesPerMinute: number | null;
  allocationSampling: boolean;
  recordingDir?: string;
  suspects: Array<{
    functionName: string;
    url: string;
    line: number;
    liveBytes: number;
    /** The named holder's path, root first (the last step names the kept objects' class). */
    holderPath?: string[];
  }>;
}

export interface E2eLens {
  file: string;
  line: number;
  title: string;
}

export function sessionState(entry: SessionEntry): E2eSessionState {
  const s = entry.session;
  return {
    id: entry.id,
    name: entry.name,
    origin: entry.origin,
    ...(entry.debugSessionId ? { debugSessionId: entry.debugSessionId } : {}),
    state: s.status.state,
    ...(s.target.pid !== undefined ? { pid: s.target.pid } : {}),
    samples: s.samples.length,
    gcEvents: s.gcEvents.length,
    verdict: s.verdict?.verdict ?? null,
    heapBytesPerMinute: s.verdict?.growth.heapBytesPerMinute ?? null,
    allocationSampling: s.allocationSampling,
    ...(s.recordingDir ? { recordingDir: s.recordingDir } : {}),
    suspects: s.suspects.map((x) => ({
      functionName: x.functionName,
      url: x.url,
      line: x.line,
      liveBytes: x.liveBytes,
      ...(x.holder ? { holderPath: x.holder.path } : {}),
    })),
  };
}

export function stateLine(
  event: string,
  entries: readonly SessionEntry[],
  lenses: readonly E2eLens[],
  nowMs = Date.now(),
): string {
  return `${JSON.stringify({ timeMs: nowMs, event, sessions: entries.map(sessionState), codeLenses: lenses })}\n`;
}

/** Appends lines to the file named by the environment, at most once per `minIntervalMs` for "state". */
export class E2eStateWriter {
  private lastStateMs = 0;
  private pending: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string | undefined,
    private readonly snapshot: () => { entries: readonly SessionEntry[]; lenses: readonly E2eLens[] },
    private readonly minIntervalMs = 1000,
  ) {}

  get enabled(): boolean {
    return Boolean(this.file);
  }

  /** Moments (started, stopped, activated) are written at once; "state" is throttled. */
  write(event: string): void {
    if (!this.file) return;
    if (event === 'state') {
      const wait = this.lastStateMs + this.minIntervalMs - Date.now();
      if (wait > 0) {
        this.pending ??= setTimeout(() => {
          this.pending = undefined;
          this.write('state');
        }, wait);
        return;
      }
      this.lastStateMs = Date.now();
    }
    const { entries, lenses } = this.snapshot();
    try {
      appendFileSync(this.file, stateLine(event, entries, lenses));
    } catch {
      // A test harness that removed its file must not break the extension.
    }
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
  }
}
