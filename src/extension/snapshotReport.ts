// Markdown for the heap snapshot view: the summary of one snapshot, or the diff of two or three. Pure
// (no `vscode`), so it is unit-tested without an editor; snapshotView.ts shows it as a preview.
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AllocationFrame, DiffResult, RetainedObject, SummaryResult } from '../core/heapsnapshot';
import { isInternalClass } from '../core/heapsnapshot/summary';
import type { SourceFrame } from '../core/types';
import { codeBlock, codeSpan, escapeMarkdown } from '../shared/text';
import { formatBytes } from './format';

/** Constructors shown per table unless told otherwise (the CLI's `--top 0` lists them all). */
export const DEFAULT_REPORT_ROWS = 50;

export interface SnapshotReportOptions {
  /** Constructor rows per table; 0 = all. Default DEFAULT_REPORT_ROWS. */
  rows?: number;
}

export interface DiffReportOptions extends SnapshotReportOptions {
  /** File sizes in bytes, in the order of `result.files` (shown next to each file when given). */
  fileBytes?: readonly number[];
}

const COUNT = new Intl.NumberFormat('en-US');

function count(n: number): string {
  return COUNT.format(n);
}

function constructorsWord(n: number): string {
  return `${count(n)} ${n === 1 ? 'constructor' : 'constructors'}`;
}

function signedCount(n: number): string {
  return n > 0 ? `+${count(n)}` : count(n);
}

function signedBytes(n: number): string {
  return n > 0 ? `+${formatBytes(n)}` : formatBytes(n);
}

// Target and snapshot text goes through the shared escapes (src/shared/text.ts).
export { codeSpan, escapeMarkdown };

/** A POSIX shell word: as is when safe, single-quoted otherwise. */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function cellName(name: string, max = 80): string {
  const shown = name.length > max ? `${name.slice(0, max - 1)}…` : name;
  return escapeMarkdown(shown || '(no name)');
}

function table(header: string[], rightAligned: boolean[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${rightAligned.map((right) => (right ? '---:' : ':---')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

function limit<T>(items: readonly T[], rows: number | undefined): T[] {
  const n = rows ?? DEFAULT_REPORT_ROWS;
  return n > 0 ? items.slice(0, n) : [...items];
}

function shownLine(shown: number, total: number, what: string): string[] {
  return shown < total ? ['', `Showing the first ${count(shown)} of ${count(total)} ${what}.`] : [];
}

/**
 * A source location as a Markdown link the preview opens at the line (`#L12`), for files on disk;
 * other script URLs (node:internal, http) as code.
 */
export function locationLink(frame: Pick<SourceFrame, 'url' | 'line'>): string {
  const file = frame.url.startsWith('file://')
    ? fileURLToPath(frame.url)
    : path.isAbsolute(frame.url)
      ? frame.url
      : undefined;
  const label = `${path.basename(file ?? frame.url)}${frame.line > 0 ? `:${frame.line}` : ''}`;
  if (!file) return codeSpan(`${frame.url}${frame.line > 0 ? `:${frame.line}` : ''}`);
  const href = `${pathToFileURL(file).href}${frame.line > 0 ? `#L${frame.line}` : ''}`;
  // Parentheses would end the link destination early.
  return `[${escapeMarkdown(label)}](${href.replace(/\(/g, '%28').replace(/\)/g, '%29')})`;
}

/** "What holds them": the container each growing group passes through, with its declaration. */
function holdersSection(result: DiffResult, names: readonly string[]): string[] {
  const holders = result.holders;
  if (!holders) return [];
  const last = names.length - 1;
  const since =
    names.length === 3
      ? `new since ${escapeMarkdown(names[0])}, present in ${escapeMarkdown(names[1])} and alive in ${escapeMarkdown(names[2])}`
      : `new since ${escapeMarkdown(names[0])} and alive in ${escapeMarkdown(names[last])}`;
  const out = [
    '## What holds them',
    '',
    holders.length
      ? `Objects ${since}, by constructor, with the container most of them pass through on their way to a GC root (an array, map, set, listener list, closure variable, timer or promise), and where it is declared when that can be found.`
      : `No program objects are ${since}.`,
    '',
  ];
  for (const group of holders) {
    const holder = group.holder;
    out.push(
      `### ${escapeMarkdown(group.constructorName || '(no name)')}: ${count(group.addedCount)} objects (${formatBytes(group.addedBytes)})`,
      '',
      `Held by **${codeSpan(holder.name || '(unnamed)')}** (${escapeMarkdown(holder.kind)})` +
        (holder.location ? `, declared at ${locationLink(holder.location)}.` : '; declaration not found.'),
      '',
    );
    if (holder.path.length) {
      for (const line of codeBlock(holder.path)) out.push(line);
      out.push('');
    }
  }
  return out;
}

/**
 * "Where they were allocated": the call stacks of the same objects, when the snapshots were taken
 * with allocation tracking. Each frame links to the function's own line (V8 records the function
 * of each frame, not the line inside it that allocated).
 */
function allocationSection(result: DiffResult): string[] {
  const sites = result.allocationSites;
  if (!sites) return [];
  const out = [
    '## Where they were allocated',
    '',
    sites.length
      ? 'The same objects by the call stack that allocated them (the snapshots were taken with allocation tracking), most bytes first. Each frame is a function and the line that declares it.'
      : 'None of these objects has an allocation stack: they were allocated before allocation tracking started.',
    '',
  ];
  for (const site of sites) {
    const classes = site.constructors.map(
      (c) => `${escapeMarkdown(c.name || '(no name)')} ×${count(c.count)}`,
    );
    out.push(`- **${count(site.count)}** objects (${formatBytes(site.bytes)}): ${classes.join(', ')}`);
    for (const line of frameList(site.frames, '  ')) out.push(line);
  }
  out.push('');
  return out;
}

function nextSteps(file: string, candidates: readonly string[]): string[] {
  const name = candidates.find((n) => !isInternalClass(n));
  const command = `heapscope retainers ${shellQuote(file)} --constructor ${name ? shellQuote(name) : '<Name>'}`;
  return [
    '## Next steps',
    '',
    `The CLI gives the retainer paths (what keeps the objects alive, back to a GC root) of a constructor's largest objects: ${codeSpan(command)}. The file also opens in Chrome DevTools (Memory tab → Load).`,
  ];
}

/** The summary of one snapshot: totals, then constructors by retained size. */
export function summaryMarkdown(result: SummaryResult, options: SnapshotReportOptions = {}): string {
  const constructors = [...result.constructors].sort(
    (a, b) => b.retainedBytes - a.retainedBytes || b.shallowBytes - a.shallowBytes,
  );
  const shown = limit(constructors, options.rows);
  const out: string[] = [
    `# Heap snapshot: ${escapeMarkdown(path.basename(result.file))}`,
    '',
    codeSpan(result.file),
    '',
    `- File size: **${formatBytes(result.fileBytes)}**`,
    `- Nodes: **${count(result.nodeCount)}**, edges: **${count(result.edgeCount)}**`,
    `- Total shallow size: **${formatBytes(result.totalBytes)}** in ${constructorsWord(constructors.length)}`,
    `- Unreachable nodes: ${count(result.unreachableCount)}`,
    `- Parsed in ${count(result.timings.parseMs)} ms, analysed in ${count(result.timings.analyseMs)} ms`,
    '',
    '## By constructor (largest retained size first)',
    '',
    ...table(
      ['Constructor', 'Count', 'Shallow size', 'Retained size'],
      [false, true, true, true],
      shown.map((c) => [
        cellName(c.name),
        count(c.count),
        formatBytes(c.shallowBytes),
        formatBytes(c.retainedBytes),
      ]),
    ),
    ...shownLine(shown.length, constructors.length, 'constructors'),
    '',
    ...largestSection(result.largest),
    ...nextSteps(
      result.file,
      constructors.map((c) => c.name),
    ),
    '',
  ];
  return out.join('\n');
}

/** What holds the largest instance of each of the biggest program constructors. */
function largestSection(largest: readonly RetainedObject[] | undefined): string[] {
  if (!largest?.length) return [];
  const out = [
    '## What holds the largest objects',
    '',
    'The largest instance of each of the biggest constructors of the program (V8 internals and generic classes left out), and its shortest informative path from a GC root.',
    '',
  ];
  for (const object of largest) {
    out.push(
      `### ${escapeMarkdown(object.className)} @${object.id}: retained ${formatBytes(object.retainedBytes)}`,
      '',
    );
    if (object.location) out.push(`Defined at ${locationLink(object.location)}.`, '');
    const path = object.paths[0]?.text;
    if (path?.length) {
      for (const line of codeBlock(path)) out.push(line);
      out.push('');
    } else out.push('No path from a GC root (held only weakly or unreachable).', '');
    if (object.allocationStack?.length) out.push('Allocated:', '', ...frameList(object.allocationStack), '');
  }
  return out;
}

/** Allocation frames as a Markdown list, each function linked to the line that declares it. */
function frameList(frames: readonly AllocationFrame[], indent = ''): string[] {
  return frames.map((frame) => {
    const name = codeSpan(frame.functionName || '(anonymous)');
    return frame.scriptName
      ? `${indent}- in ${name}, declared at ${locationLink({ url: frame.scriptName, line: frame.line })}`
      : `${indent}- in ${name}`;
  });
}

/** The diff of two snapshots, or of three with "allocated between 1 and 2 and still alive in 3". */
export function diffMarkdown(result: DiffResult, options: DiffReportOptions = {}): string {
  const files = result.files;
  const names = files.map((f) => path.basename(f));
  const last = files.length - 1;
  const [from, to] = [Math.max(0, last - 1), last];
  const d = result.diff;
  // Constructors with nothing new and nothing freed are left out: they did not change.
  const constructors = d.constructors
    .filter((c) => c.newCount > 0 || c.freedCount > 0)
    .sort((x, y) => y.bytesDelta - x.bytesDelta || y.countDelta - x.countDelta);
  const unchanged = d.constructors.length - constructors.length;
  const shown = limit(constructors, options.rows);
  const out: string[] = [
    `# Heap snapshot diff: ${names.map(escapeMarkdown).join(' → ')}`,
    '',
    ...files.map((f, i) => {
      const size = options.fileBytes?.[i];
      return `${i + 1}. ${codeSpan(f)}${size !== undefined ? ` (${formatBytes(size)})` : ''}`;
    }),
    '',
    `## ${escapeMarkdown(names[from])} → ${escapeMarkdown(names[to])}`,
    '',
    `- New: **${count(d.newCount)}** objects (${formatBytes(d.newBytes)})`,
    `- Freed: **${count(d.freedCount)}** objects (${formatBytes(d.freedBytes)})`,
    `- Net: ${signedCount(d.newCount - d.freedCount)} objects (${signedBytes(d.newBytes - d.freedBytes)})`,
    '',
    'Objects are matched by their snapshot id, so this compares snapshots of one process. Sizes are shallow; largest growth first.',
    '',
    ...table(
      [
        'Constructor',
        'New',
        'New size',
        'Freed',
        'Freed size',
        'Surviving',
        'Surviving size',
        'Δ count',
        'Δ size',
      ],
      [false, true, true, true, true, true, true, true, true],
      shown.map((c) => [
        cellName(c.name),
        count(c.newCount),
        formatBytes(c.newBytes),
        count(c.freedCount),
        formatBytes(c.freedBytes),
        count(c.survivingCount),
        formatBytes(c.survivingBytes),
        signedCount(c.countDelta),
        signedBytes(c.bytesDelta),
      ]),
    ),
    ...shownLine(shown.length, constructors.length, 'changed constructors'),
    ...(unchanged > 0
      ? ['', `${constructorsWord(unchanged)} with no new and no freed objects not listed.`]
      : []),
    '',
  ];
  const between = result.allocatedBetween;
  let candidates = constructors.filter((c) => c.newCount > 0).map((c) => c.name);
  if (between && files.length === 3) {
    const rows = [...between.constructors].sort((x, y) => y.bytes - x.bytes || y.count - x.count);
    const betweenShown = limit(rows, options.rows);
    out.push(
      '## Allocated between 1 and 2 and still alive in 3',
      '',
      `Objects absent from ${escapeMarkdown(names[0])}, present in ${escapeMarkdown(names[1])} and still alive in ${escapeMarkdown(names[2])}: **${count(between.total)}** objects (${formatBytes(between.bytes)}). These are the likeliest leaks.`,
      '',
      ...table(
        ['Constructor', 'Count', 'Size'],
        [false, true, true],
        betweenShown.map((c) => [cellName(c.name), count(c.count), formatBytes(c.bytes)]),
      ),
      ...shownLine(betweenShown.length, rows.length, 'constructors'),
      '',
    );
    candidates = rows.map((c) => c.name);
  }
  // Loops, not push(...lines): a snapshot decides how many lines there are.
  for (const section of [
    holdersSection(result, names),
    allocationSection(result),
    nextSteps(files[last], candidates),
  ])
    for (const line of section) out.push(line);
  out.push('');
  return out.join('\n');
}
