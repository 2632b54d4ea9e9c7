// Accuracy of `heapscope check` on the leak corpus (test/fixtures/leaks/manifest.json): for every
// leaking scenario, is the verdict "leak" and is the declared culprit suspect #1 (or in the top 3)?
// For every control, is the verdict "no-leak" (a "leak" is a false positive)?
//   npx tsx bench/accuracy/run.ts [--only name[,name...]] [--parallel 2] [--duration-scale 1]
//                                 [--sampling-interval <bytes>] [--record <dir>]
// --record keeps each run's recording in <dir>/<scenario> (replay.ts --live replays them).
// Prints `N/M right (top1 …, top3 …, false positives …)`, one line per scenario with what the live
// verdict showed (a wrong verdict at any moment; when the right one came to stay), and
// `live: wrong verdicts shown X/M runs, median time to a lasting leak call N s`; writes
// bench/results/accuracy.json (accuracy-<bytes>.json with --sampling-interval). Needs `npm run build` first (it runs dist/cli.js).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ReportV1, Suspect } from '../../src/core/types';
import { formatLive, liveOutcome, liveSummary, type LiveOutcome } from './live';

const repo = resolve(__dirname, '..', '..');
const corpus = join(repo, 'test', 'fixtures', 'leaks');

interface Scenario {
  name: string;
  file: string;
  command?: string[];
  /** Extra options for `heapscope check` (before the `--`). */
  checkArgs?: string[];
  expect: 'leak' | 'no-leak';
  budgetSeconds: number;
  culprit?: { file: string; functions: string[]; lines: number[]; holders?: string[] };
}

interface Outcome {
  name: string;
  expect: Scenario['expect'];
  verdict: string;
  exitCode: number | null;
  /** 1-based rank of the first suspect matching the culprit; 0 when none matched. */
  culpritRank: number;
  /** Share of the rising floors' growth the suspects explain (report.explained). */
  explained?: ReportV1['explained'];
  /** Suspect #1 names the culprit's own function (not a caller, not only its holder). */
  top1Function?: boolean;
  right: boolean;
  top1?: string;
  /** The first three suspects, as `function file:line [held by name]`. */
  top3?: string[];
  confidence?: number;
  heapBytesPerMinute?: number;
  externalBytesPerMinute?: number;
  wallSeconds: number;
  /** What the live verdict showed during the run (report.verdictHistory). */
  live?: LiveOutcome;
  error?: string;
}

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

export function matchesCulprit(suspect: Suspect, culprit: NonNullable<Scenario['culprit']>): boolean {
  const inFile = suspect.url.replace(/\\/g, '/').endsWith('/' + culprit.file);
  if (inFile && (culprit.lines.includes(suspect.line) || culprit.functions.includes(suspect.functionName)))
    return true;
  const holder = suspect.holder;
  if (holder && culprit.holders?.some((name) => holder.name === name || holder.name.endsWith('.' + name))) {
    // A holder alone identifies the culprit only when it is the user's (declared in the scenario).
    return !holder.location || holder.location.url.replace(/\\/g, '/').endsWith('/' + culprit.file);
  }
  return false;
}

/** The suspect's own function is one the scenario declares, in the culprit's file. */
export function namesCulpritFunction(suspect: Suspect, culprit: NonNullable<Scenario['culprit']>): boolean {
  return (
    suspect.url.replace(/\\/g, '/').endsWith('/' + culprit.file) &&
    culprit.functions.includes(suspect.functionName)
  );
}

function describe(suspect: Suspect | undefined): string {
  if (!suspect) return '(no suspect)';
  const file = suspect.url.split('/').slice(-1)[0];
  return `${suspect.functionName} ${file}:${suspect.line}${suspect.holder ? ` held by ${suspect.holder.name}` : ''}`;
}

function runOne(
  scenario: Scenario,
  durationScale: number,
  samplingInterval?: string,
  recordDir?: string,
): Promise<Outcome> {
  const duration = Math.max(10, Math.round(scenario.budgetSeconds * durationScale));
  const command = scenario.command ?? ['node', scenario.file];
  const args = [
    join(repo, 'dist', 'cli.js'),
    'check',
    '--json',
    '-',
    '--duration',
    String(duration),
    ...(samplingInterval ? ['--sampling-interval', samplingInterval] : []),
    ...(recordDir ? ['--record', join(recordDir, scenario.name)] : []),
    ...(scenario.checkArgs ?? []),
    '--',
    ...command,
  ];
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: corpus, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A hung check must not hang the benchmark: budget + a generous margin for snapshots.
    const guard = setTimeout(() => child.kill('SIGKILL'), (duration + 120) * 1000);
    child.on('close', (exitCode) => {
      clearTimeout(guard);
      const base = {
        name: scenario.name,
        expect: scenario.expect,
        exitCode,
        wallSeconds: Math.round((Date.now() - started) / 1000),
      };
      let report: ReportV1;
      try {
        report = JSON.parse(stdout) as ReportV1;
      } catch {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        done({
          ...base,
          verdict: 'error',
          culpritRank: 0,
          right: false,
          error: `no JSON report (exit ${exitCode}): ${tail}`,
        });
        return;
      }
      const rank = scenario.culprit
        ? report.suspects.findIndex((s) => matchesCulprit(s, scenario.culprit!)) + 1
        : 0;
      const right =
        scenario.expect === 'leak' ? report.verdict === 'leak' && rank === 1 : report.verdict === 'no-leak';
      const first = report.suspects[0];
      done({
        ...base,
        verdict: report.verdict,
        culpritRank: rank,
        ...(report.explained ? { explained: report.explained } : {}),
        ...(scenario.culprit && first ? { top1Function: namesCulpritFunction(first, scenario.culprit) } : {}),
        right,
        top1: describe(report.suspects[0]),
        top3: report.suspects.slice(0, 3).map(describe),
        confidence: report.growth.confidence,
        heapBytesPerMinute: report.growth.heapBytesPerMinute,
        externalBytesPerMinute: report.growth.externalBytesPerMinute,
        ...(report.verdictHistory ? { live: liveOutcome(report.verdictHistory, scenario.expect) } : {}),
      });
    });
  });
}

async function main(): Promise<void> {
  if (!existsSync(join(repo, 'dist', 'cli.js')))
    throw new Error('dist/cli.js is missing: run `npm run build` first');
  const manifest = JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8')) as {
    scenarios: Scenario[];
  };
  const only = argValue('--only')?.split(',');
  const parallel = Math.max(1, Number(argValue('--parallel') ?? 2));
  const durationScale = Number(argValue('--duration-scale') ?? 1);
  const samplingInterval = argValue('--sampling-interval');
  const recordArg = argValue('--record');
  const recordDir = recordArg ? resolve(recordArg) : undefined;
  const scenarios = manifest.scenarios.filter((s) => !only || only.includes(s.name));
  // Longest first, so the slow scenario overlaps the others instead of running last alone.
  const queue = [...scenarios].sort((a, b) => b.budgetSeconds - a.budgetSeconds);
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const outcome = await runOne(next, durationScale, samplingInterval, recordDir);
        outcomes.push(outcome);
        console.log(formatLine(outcome));
      }
    }),
  );
  outcomes.sort(
    (a, b) => scenarios.findIndex((s) => s.name === a.name) - scenarios.findIndex((s) => s.name === b.name),
  );
  const leaks = outcomes.filter((o) => o.expect === 'leak');
  const controls = outcomes.filter((o) => o.expect === 'no-leak');
  const right = outcomes.filter((o) => o.right).length;
  const top1 = leaks.filter((o) => o.verdict === 'leak' && o.culpritRank === 1).length;
  const top3 = leaks.filter((o) => o.verdict === 'leak' && o.culpritRank >= 1 && o.culpritRank <= 3).length;
  const falsePositives = controls.filter((o) => o.verdict === 'leak').length;
  const functionRight = leaks.filter((o) => o.top1Function === true).length;
  const functionLine = `function of #1 is the culprit ${functionRight}/${leaks.length}`;
  const summary =
    `${right}/${outcomes.length} right (top1 ${top1}/${leaks.length}, top3 ${top3}/${leaks.length}, ` +
    `false positives ${falsePositives}/${controls.length})`;
  console.log('');
  for (const outcome of outcomes) console.log(formatLine(outcome));
  console.log(summary);
  console.log(functionLine);
  const live = liveSummary(outcomes);
  console.log(live);
  mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(repo, 'bench', 'results', samplingInterval ? `accuracy-${samplingInterval}.json` : 'accuracy.json'),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        node: process.version,
        durationScale,
        samplingIntervalBytes: samplingInterval ? Number(samplingInterval) : undefined,
        summary,
        functionLine,
        functionRight,
        live,
        right,
        total: outcomes.length,
        top1,
        top3,
        leaks: leaks.length,
        falsePositives,
        controls: controls.length,
        outcomes,
      },
      null,
      2,
    ) + '\n',
  );
}

function formatLine(o: Outcome): string {
  const mark = o.right ? 'ok  ' : 'MISS';
  const rank = o.expect === 'leak' ? ` culprit #${o.culpritRank || '-'}` : '';
  const rate =
    o.heapBytesPerMinute !== undefined
      ? ` heap ${kib(o.heapBytesPerMinute)}/min ext ${kib(o.externalBytesPerMinute ?? 0)}/min conf ${o.confidence}`
      : '';
  const shares = o.explained
    ? ` explains${o.explained.heapShare !== undefined ? ` heap ${Math.round(o.explained.heapShare * 100)}%` : ''}` +
      `${o.explained.externalShare !== undefined ? ` ext ${Math.round(o.explained.externalShare * 100)}%` : ''}` +
      `${o.explained.externalSampledShare !== undefined ? ` (sampled ${(o.explained.externalSampledShare * 100).toFixed(1)}%)` : ''}`
    : '';
  return `${mark} ${o.name.padEnd(24)} expect ${o.expect.padEnd(7)} got ${o.verdict.padEnd(12)}${rank}${rate} top1: ${o.top1 ?? '-'}${shares} ${formatLive(o.live)} (${o.wallSeconds}s)${o.error ? ` ${o.error}` : ''}`;
}

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024)} KiB`;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
