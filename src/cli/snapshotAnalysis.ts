// `heapscope summary | diff | retainers`: analyse heap snapshot files. Progress goes to stderr,
// results to stdout (text or --json). Nothing here reaches the inspector: these commands are
// bundled apart (dist/cliAnalyse.js, see launch.ts) so that their start-up reads none of its code.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { describeError, isHeapscopeError } from '../core/errors';
import {
  describeFrame,
  diffSnapshotFiles,
  findRetainers,
  summarizeSnapshotFile,
  type AllocationFrame,
  type TaskProgress,
} from '../core/heapsnapshot';
import { formatBytes } from '../shared/format';
import { location } from './checkFormat';
import { exitCodes } from './exitCodes';
import { stripControl } from '../shared/text';

export type JsonOption = string | boolean | undefined;

/**
 * The analyses run on the command's own thread: a command has nothing else to keep responsive,
 * and a worker would load the engine's bundle a second time (its start-up is part of what a user
 * waits for). The process ends after one analysis, which gives the memory back.
 */
const IN_PROCESS = true;

function progressPrinter(quiet: boolean): (p: TaskProgress) => void {
  let lastPhase = '';
  let lastPercent = -1;
  return (p) => {
    if (quiet) return;
    if (p.phase === 'reading' && p.totalBytes) {
      const percent = Math.floor(((p.readBytes ?? 0) / p.totalBytes) * 10) * 10;
      if (percent !== lastPercent || lastPhase !== 'reading')
        process.stderr.write(`reading ${path.basename(p.file ?? '')} ${percent}%\n`);
      lastPercent = percent;
    } else if (p.phase !== lastPhase) process.stderr.write(`${p.phase}…\n`);
    lastPhase = p.phase;
  };
}

export async function emitJson(option: JsonOption, value: unknown): Promise<boolean> {
  if (option === undefined || option === false) return false;
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (option === true || option === '-') process.stdout.write(text);
  else await writeFile(option, text);
  return option === true || option === '-';
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** Runs a command body, turning user errors into a message and exit code 2. */
export function guarded(setExit: (code: number) => void, body: () => Promise<void>): Promise<void> {
  return body().catch((error: unknown) => {
    process.stderr.write(`heapscope: ${describeError(error)}\n`);
    if (!isHeapscopeError(error) || error.code === 'internal') {
      const stack = (error as Error)?.stack;
      if (stack && process.env.HEAPSCOPE_DEBUG) process.stderr.write(`${stack}\n`);
    }
    setExit(exitCodes.usage);
  });
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a count: ${value}`);
  return n;
}

/** An option with an optional count (`--holders [n]`): absent 0, given without a count 5. */
function optionalCount(value: number | true | undefined): number {
  return value === true ? 5 : (value ?? 0);
}

/** An object's allocation stack under its retainer path (nothing for untracked snapshots). */
function allocatedLines(stack: readonly AllocationFrame[] | undefined): string[] {
  if (!stack?.length) return [];
  return ['  allocated:', ...stack.map((frame) => `    in ${describeFrame(frame)}`)];
}

export function registerSnapshotAnalysisCommands(program: Command, setExit: (code: number) => void): void {
  program
    .command('summary')
    .description(
      'Summary of a heap snapshot by constructor: count, shallow and retained size (same figures as DevTools).',
    )
    .argument('<file>', '.heapsnapshot file')
    .option('--top <n>', 'constructors to show (0 = all)', positiveInt, 20)
    .option(
      '--largest [n]',
      'also the retainer path of the largest instance of the n biggest program constructors (default 5)',
      positiveInt,
    )
    .option('--json [file]', 'write the result as JSON (to stdout with - or no file)')
    .option('-q, --quiet', 'no progress on stderr')
    .action(
      (file: string, options: { top: number; largest?: number | true; json?: JsonOption; quiet?: boolean }) =>
        guarded(setExit, async () => {
          const result = await summarizeSnapshotFile(file, options.top, {
            inProcess: IN_PROCESS,
            onProgress: progressPrinter(!!options.quiet),
            largest: optionalCount(options.largest),
          });
          if (await emitJson(options.json, result)) return;
          const out: string[] = [];
          out.push(
            `${file}: ${result.nodeCount} nodes, ${result.edgeCount} edges, ${formatBytes(result.totalBytes)} (parsed in ${result.timings.parseMs} ms, analysed in ${result.timings.analyseMs} ms)`,
          );
          out.push(
            `${pad('Constructor', 40)} ${pad('Count', 10, true)} ${pad('Shallow', 12, true)} ${pad('Retained', 12, true)} ${pad('Distance', 8, true)}`,
          );
          for (const c of result.constructors)
            out.push(
              `${pad(c.name.length > 40 ? `${c.name.slice(0, 39)}…` : c.name, 40)} ${pad(String(c.count), 10, true)} ${pad(formatBytes(c.shallowBytes), 12, true)} ${pad(formatBytes(c.retainedBytes), 12, true)} ${pad(String(c.distance), 8, true)}`,
            );
          for (const o of result.largest ?? []) {
            out.push('');
            out.push(
              `Largest ${o.className} @${o.id}: retained ${formatBytes(o.retainedBytes)}` +
                (o.location ? ` (defined at ${location(o.location, process.cwd())})` : ''),
            );
            const path = o.paths[0]?.text ?? ['(no path from a GC root: unreachable or held only weakly)'];
            for (const step of path) out.push(`    ${step}`);
            for (const line of allocatedLines(o.allocationStack)) out.push(line);
          }
          process.stdout.write(`${out.map(stripControl).join('\n')}\n`);
        }),
    );

  program
    .command('diff')
    .description(
      'Diff snapshots of one process by object id. With three files: objects allocated between the first two and still alive in the third.',
    )
    .argument('<a>', 'oldest snapshot')
    .argument('<b>', 'later snapshot')
    .argument('[c]', 'latest snapshot (three-snapshot method)')
    .option('--top <n>', 'constructors to show (0 = all)', positiveInt, 20)
    .option(
      '--holders [n]',
      'also name what holds the objects that grew, for the n largest groups (default 5)',
      positiveInt,
    )
    .option('--json [file]', 'write the result as JSON (to stdout with - or no file)')
    .option('-q, --quiet', 'no progress on stderr')
    .action(
      (
        a: string,
        b: string,
        c: string | undefined,
        options: { top: number; holders?: number | true; json?: JsonOption; quiet?: boolean },
      ) =>
        guarded(setExit, async () => {
          const files = c ? [a, b, c] : [a, b];
          const result = await diffSnapshotFiles(files, options.top, {
            inProcess: IN_PROCESS,
            onProgress: progressPrinter(!!options.quiet),
            holders: optionalCount(options.holders),
          });
          if (await emitJson(options.json, result)) return;
          const d = result.diff;
          const out: string[] = [];
          const [from, to] = c ? [b, c] : [a, b];
          out.push(
            `${from} → ${to}: ${d.newCount} new (${formatBytes(d.newBytes)}), ${d.freedCount} freed (${formatBytes(d.freedBytes)})`,
          );
          out.push(
            `${pad('Constructor', 40)} ${pad('New', 9, true)} ${pad('Freed', 9, true)} ${pad('Δ count', 9, true)} ${pad('Δ size', 12, true)} ${pad('Surviving', 10, true)}`,
          );
          for (const x of d.constructors)
            out.push(
              `${pad(x.name.slice(0, 40), 40)} ${pad(String(x.newCount), 9, true)} ${pad(String(x.freedCount), 9, true)} ${pad(String(x.countDelta), 9, true)} ${pad(formatBytes(x.bytesDelta), 12, true)} ${pad(String(x.survivingCount), 10, true)}`,
            );
          if (result.allocatedBetween) {
            const between = result.allocatedBetween;
            out.push('');
            out.push(
              `Allocated between ${a} and ${b}, still alive in ${c}: ${between.total} objects (${formatBytes(between.bytes)})`,
            );
            out.push(`${pad('Constructor', 40)} ${pad('Count', 9, true)} ${pad('Size', 12, true)}`);
            for (const x of between.constructors)
              out.push(
                `${pad(x.name.slice(0, 40), 40)} ${pad(String(x.count), 9, true)} ${pad(formatBytes(x.bytes), 12, true)}`,
              );
          }
          if (result.holders) {
            out.push('');
            out.push(
              result.holders.length
                ? `What holds them (new since ${a}${c ? `, present in ${b}` : ''}, alive in ${c ?? b}):`
                : 'What holds them: no program objects grew.',
            );
            const cwd = process.cwd();
            for (const g of result.holders) {
              const holder = g.holder;
              out.push(
                `  ${g.constructorName} ×${g.addedCount} (${formatBytes(g.addedBytes)}): held by ${holder.kind} ${holder.name}` +
                  (holder.location ? ` at ${location(holder.location, cwd)}` : ''),
              );
              for (const step of holder.path) out.push(`      ${step}`);
            }
          }
          if (result.allocationSites) {
            out.push('');
            out.push(
              result.allocationSites.length
                ? `Where they were allocated (allocation stacks: the snapshots were taken with allocation tracking):`
                : 'Where they were allocated: none of them has an allocation stack (allocated before tracking started).',
            );
            for (const site of result.allocationSites) {
              const classes = site.constructors.map((c) => `${c.name} ×${c.count}`).join(', ');
              out.push(`  ${site.count} objects (${formatBytes(site.bytes)}): ${classes}`);
              for (const frame of site.frames) out.push(`      in ${describeFrame(frame)}`);
            }
          }
          process.stdout.write(`${out.map(stripControl).join('\n')}\n`);
        }),
    );

  program
    .command('retainers')
    .description('Retainer paths from objects back to a GC root, shortest and most informative first.')
    .argument('<file>', '.heapsnapshot file')
    .option('--constructor <name>', 'objects of this constructor (largest retained first)')
    .option('--id <n>', 'the object with this snapshot id (@N in DevTools)', positiveInt)
    .option('--objects <n>', 'objects to show', positiveInt, 3)
    .option('--paths <n>', 'paths per object', positiveInt, 3)
    .option('--json [file]', 'write the result as JSON (to stdout with - or no file)')
    .option('-q, --quiet', 'no progress on stderr')
    .action(
      (
        file: string,
        options: {
          constructor?: string;
          id?: number;
          objects: number;
          paths: number;
          json?: JsonOption;
          quiet?: boolean;
        },
      ) =>
        guarded(setExit, async () => {
          // commander puts --constructor on the options object under a name that collides with Object's.
          const constructorName = Object.prototype.hasOwnProperty.call(options, 'constructor')
            ? (options.constructor as unknown as string)
            : undefined;
          if (!constructorName === (options.id === undefined)) {
            process.stderr.write(
              'heapscope: retainers needs exactly one of --constructor <Name> or --id <N>.\n',
            );
            setExit(exitCodes.usage);
            return;
          }
          const result = await findRetainers(
            file,
            { constructorName, id: options.id, objects: options.objects, paths: options.paths },
            { inProcess: IN_PROCESS, onProgress: progressPrinter(!!options.quiet) },
          );
          if (await emitJson(options.json, result)) return;
          const out: string[] = [];
          out.push(`${result.matched} object(s) matched; showing ${result.objects.length}.`);
          for (const o of result.objects) {
            const where = o.location ? ` at ${o.location.url}:${o.location.line}:${o.location.column}` : '';
            out.push('');
            out.push(
              `${o.className} @${o.id}: shallow ${formatBytes(o.selfBytes)}, retained ${formatBytes(o.retainedBytes)}, distance ${o.distance}${where}`,
            );
            if (o.paths.length === 0) out.push('  (no path from a GC root: unreachable or held only weakly)');
            o.paths.forEach((p, i) => {
              out.push(`  path ${i + 1}:`);
              for (const step of p.text) out.push(`    ${step}`);
            });
            for (const line of allocatedLines(o.allocationStack)) out.push(line);
          }
          process.stdout.write(`${out.map(stripControl).join('\n')}\n`);
        }),
    );
}
