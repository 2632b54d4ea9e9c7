// Replays recorded series through the analysis, for tuning without a target.
//   npx tsx bench/accuracy/replay.ts <dump.json> [...]
// Dumps written by probe.ts (--dump): the final verdict and the suspects.
//   npx tsx bench/accuracy/replay.ts --live <dir>[,<dir>...]
// Recordings of the corpus (run.ts --record <dir>: one folder per scenario): the verdict shown
// while observing, re-computed after every reading as the session does, both ungated (the trend
// analysis of the window so far, as shown before the live gate) and gated (LiveVerdict). Prints,
// per scenario and in all, whether a wrong verdict was shown and when the right one came to stay,
// and the reliability of the `leak` calls: of the seconds a `leak` was shown at confidence ≥ c,
// the share on scenarios that leak. Writes bench/results/live-replay.json.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyzeTrendDetail, LiveVerdict, rankSuspects } from '../../src/core/leak';
import { readRecording } from '../../src/core/session/recording';
import type { AllocationProfileReading, GcEvent, MemorySample, VerdictChange } from '../../src/core/types';
import { formatLive, liveOutcome, liveSummary, type LiveOutcome } from './live';

const repo = resolve(__dirname, '..', '..');
const LEVELS = [0.5, 0.8, 0.9, 0.95, 0.99];

interface Shown {
  history: VerdictChange[];
  /** One entry per reading: the verdict and confidence shown then. */
  perReading: Array<{ verdict: string; confidence: number }>;
}

interface Replayed {
  name: string;
  expect: 'leak' | 'no-leak';
  seconds: number;
  before: Shown;
  after: Shown;
}

function record(
  shown: Shown,
  atSeconds: number,
  verdict: VerdictChange['verdict'],
  confidence: number,
  reason: string,
): void {
  shown.perReading.push({ verdict, confidence });
  if (shown.history[shown.history.length - 1]?.verdict !== verdict)
    shown.history.push({ atSeconds, verdict, confidence, reason });
}

async function replayRecording(dir: string, name: string, expect: 'leak' | 'no-leak'): Promise<Replayed> {
  const data = await readRecording(dir);
  const samples = data.samples;
  const startedAtMs = Date.parse(data.meta.startedAt);
  const gcEvents = [...data.gcEvents].sort((a, b) => a.timeMs - b.timeMs);
  const live = new LiveVerdict();
  const before: Shown = { history: [], perReading: [] };
  const after: Shown = { history: [], perReading: [] };
  let gcCount = 0;
  for (let i = 0; i < samples.length; i++) {
    const nowMs = samples[i].timeMs;
    while (gcCount < gcEvents.length && gcEvents[gcCount].timeMs <= nowMs) gcCount++;
    const input = { samples: samples.slice(0, i + 1), gcEvents: gcEvents.slice(0, gcCount) };
    const atSeconds = Math.round((nowMs - startedAtMs) / 100) / 10;
    const raw = analyzeTrendDetail(input).verdict;
    record(before, atSeconds, raw.verdict, raw.growth.confidence, raw.reason);
    const gated = live.update(input, startedAtMs);
    record(after, atSeconds, gated.verdict, gated.growth.confidence, gated.reason);
  }
  const seconds = samples.length ? Math.round((samples[samples.length - 1].timeMs - startedAtMs) / 1000) : 0;
  return { name, expect, seconds, before, after };
}

/** Of the readings showing `leak` at confidence ≥ c, how many were on leaking scenarios? */
function reliability(
  runs: readonly Replayed[],
  which: 'before' | 'after',
): Array<{ level: number; calls: number; right: number }> {
  return LEVELS.map((level) => {
    let calls = 0;
    let right = 0;
    for (const run of runs) {
      for (const shown of run[which].perReading) {
        if (shown.verdict !== 'leak' || shown.confidence < level) continue;
        calls++;
        if (run.expect === 'leak') right++;
      }
    }
    return { level, calls, right };
  });
}

function percent(right: number, calls: number): string {
  return calls ? `${((100 * right) / calls).toFixed(1)} %` : '-';
}

async function replayLive(roots: readonly string[]): Promise<void> {
  const manifest = JSON.parse(
    readFileSync(join(repo, 'test', 'fixtures', 'leaks', 'manifest.json'), 'utf8'),
  ) as {
    scenarios: Array<{ name: string; expect: 'leak' | 'no-leak' }>;
  };
  const runs: Replayed[] = [];
  for (const root of roots) {
    const folders = new Set(readdirSync(root));
    for (const scenario of manifest.scenarios) {
      if (!folders.has(scenario.name)) continue;
      runs.push(await replayRecording(join(root, scenario.name), scenario.name, scenario.expect));
    }
  }
  const outcomes = (which: 'before' | 'after'): Array<{ expect: 'leak' | 'no-leak'; live: LiveOutcome }> =>
    runs.map((r) => ({ expect: r.expect, live: liveOutcome(r[which].history, r.expect) }));
  console.log(`== ${runs.length} recordings in ${roots.join(', ')}`);
  for (const run of runs) {
    console.log(
      `${run.name.padEnd(24)} expect ${run.expect.padEnd(7)} ${String(run.seconds).padStart(4)} s  ` +
        `ungated ${formatLive(liveOutcome(run.before.history, run.expect)).padEnd(36)} ` +
        `gated ${formatLive(liveOutcome(run.after.history, run.expect))}`,
    );
  }
  console.log(`ungated: ${liveSummary(outcomes('before'))}`);
  console.log(`gated:   ${liveSummary(outcomes('after'))}`);
  const tables = { before: reliability(runs, 'before'), after: reliability(runs, 'after') };
  console.log(
    'reliability of leak calls (readings showing leak at confidence >= c; share on leaking scenarios)',
  );
  console.log('| confidence ≥ c | ungated: calls | right | gated: calls | right |');
  console.log('| -------------- | -------------- | ----- | ------------ | ----- |');
  for (let i = 0; i < LEVELS.length; i++) {
    const b = tables.before[i];
    const a = tables.after[i];
    console.log(
      `| ${LEVELS[i]} | ${b.calls} | ${percent(b.right, b.calls)} | ${a.calls} | ${percent(a.right, a.calls)} |`,
    );
  }
  mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(repo, 'bench', 'results', 'live-replay.json'),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        recordings: roots,
        ungated: liveSummary(outcomes('before')),
        gated: liveSummary(outcomes('after')),
        reliability: tables,
        runs: runs.map((r) => ({
          name: r.name,
          expect: r.expect,
          seconds: r.seconds,
          ungated: r.before.history,
          gated: r.after.history,
        })),
      },
      null,
      2,
    ) + '\n',
  );
}

async function replayDumps(files: readonly string[]): Promise<void> {
  for (const file of files) {
    const dump = JSON.parse(readFileSync(file, 'utf8')) as {
      samples: MemorySample[];
      gcEvents: GcEvent[];
      readings: AllocationProfileReading[];
    };
    const detail = analyzeTrendDetail(dump);
    console.log(
      `== ${file}: ${detail.verdict.verdict} (${detail.verdict.growth.confidence}) ${detail.verdict.reason}`,
    );
    const suspects = await rankSuspects(
      dump.readings,
      { getScriptSource: async () => undefined },
      { limit: 3 },
    );
    for (const s of suspects) {
      console.log(
        `  #${s.rank} ${s.kind} ${s.functionName} ${s.url.split('/').pop()}:${s.line} ${Math.round(s.growthBytesPerMinute / 1024)} KiB/min${s.note ? ` — ${s.note}` : ''}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const liveIndex = args.indexOf('--live');
  if (liveIndex >= 0) await replayLive(args[liveIndex + 1].split(',').map((dir) => resolve(dir)));
  else await replayDumps(args);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
