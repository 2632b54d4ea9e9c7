// The leak module's public surface, called by the session. Owned by the leak-analysis work; the
// bodies here are placeholders so the session can be wired before the methods land.
import type { AllocationProfileReading, GcEvent, MemorySample, Suspect, TrendVerdict } from '../types';

export interface TrendInput {
  samples: readonly MemorySample[];
  gcEvents: readonly GcEvent[];
  heapLimitBytes?: number;
}

/** Verdict from the trend of the post-GC floor. Pure; cheap enough to call once a second. */
export function analyzeTrend(input: TrendInput): TrendVerdict {
  return {
    verdict: 'inconclusive',
    growth: { heapBytesPerMinute: 0, externalBytesPerMinute: 0, confidence: 0 },
    reason: `placeholder (${input.samples.length} samples)`,
  };
}

/** What the location resolver may ask of the target or the disk. */
export interface ScriptSourceProvider {
  /** The script's source text as the target runs it (Debugger.getScriptSource), when available. */
  getScriptSource(scriptId: string, url: string): Promise<string | undefined>;
}

export interface SuspectOptions {
  projectRoot?: string;
  /** How many suspects to return at most. */
  limit?: number;
}

/** Ranks allocation sites by growth of live bytes over successive profile readings. */
export async function rankSuspects(
  readings: readonly AllocationProfileReading[],
  _sources: ScriptSourceProvider,
  _options: SuspectOptions = {},
): Promise<Suspect[]> {
  void readings;
  return [];
}

/** What attributeHolders may use of the running session. */
export interface HolderContext {
  /** Takes a snapshot of the target into `file` (the session records the pause in the report). */
  takeHeapSnapshot(file: string, purpose: string): Promise<string>;
  sources: ScriptSourceProvider;
  /** A folder for the snapshot files. */
  workDir: string;
  projectRoot?: string;
}

/**
 * Called by the session when the observation ends (and may be called during it): where snapshots
 * help, names the holder of each suspect's objects, and adds holder-only suspects (e.g. kept Buffers
 * whose JS allocation was never sampled). Returns the suspects to report, re-ranked.
 */
export async function attributeHolders(
  suspects: readonly Suspect[],
  _verdict: TrendVerdict,
  _context: HolderContext,
): Promise<Suspect[]> {
  return [...suspects];
}
