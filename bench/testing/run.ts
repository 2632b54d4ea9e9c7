// How small a leak heapscope/testing's expectNoLeak catches, and that it does not flag bounded memory:
// each case runs in a fresh process (bench/testing/case.js) several times; a case is "flagged" when
// expectNoLeak's rule (slope above the tolerance, and the total growth at least half of it) holds.
// Writes bench/results/testing.json. Usage: npx tsx bench/testing/run.ts [repeats]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const repeats = Number(process.argv[2] ?? 5);
const TOLERANCE = 256;

interface Measured {
  bytesPerIteration: number;
  growthBytes: number;
  top?: string;
}

function measure(kind: string, bytes: number, iterations: number, warmup: number): Measured {
  const out = execFileSync(
    process.execPath,
    [join(__dirname, 'case.js'), kind, String(bytes), String(iterations), String(warmup)],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return JSON.parse(out) as Measured;
}

const flagged = (m: Measured, iterations: number) =>
  m.bytesPerIteration > TOLERANCE && m.growthBytes > TOLERANCE * iterations * 0.5;

const rows: Array<Record<string, unknown>> = [];
const cases: Array<[string, number, number, number]> = [
  ['leak', 128, 300, 30],
  ['leak', 256, 300, 30],
  ['leak', 384, 300, 30],
  ['leak', 512, 300, 30],
  ['leak', 1024, 300, 30],
  ['leak', 1024, 100, 30],
  ['leak', 4096, 100, 30],
  ['cache', 0, 300, 1500],
  ['pool', 0, 300, 30],
];
for (const [kind, bytes, iterations, warmup] of cases) {
  const runs = Array.from({ length: repeats }, () => measure(kind, bytes, iterations, warmup));
  const slopes = runs.map((r) => r.bytesPerIteration);
  const row = {
    kind,
    leakBytesPerIteration: bytes,
    iterations,
    warmup,
    flagged: runs.filter((r) => flagged(r, iterations)).length,
    runs: repeats,
    measuredMin: Math.round(Math.min(...slopes)),
    measuredMax: Math.round(Math.max(...slopes)),
    topSite: runs[0]?.top,
  };
  rows.push(row);
  console.log(
    `${kind.padEnd(6)} ${String(bytes).padStart(5)} B/it  ${String(iterations).padStart(4)} it  warm-up ${String(warmup).padStart(4)}  flagged ${row.flagged}/${repeats}  measured ${row.measuredMin}..${row.measuredMax} B/it  top ${row.topSite ?? '-'}`,
  );
}
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(
  join(root, 'bench/results/testing.json'),
  `${JSON.stringify({ tolerance: TOLERANCE, rows }, null, 2)}\n`,
);
console.log('wrote bench/results/testing.json');
