// Text `heapscope check` prints on stderr: the progress line while observing and the closing summary.
import { isAbsolute, relative } from 'node:path';
import { formatBytes, formatMinutes } from '../shared/format';
import type {
  IsolateReport,
  MemorySample,
  ProcessReport,
  ReportV1,
  SourceFrame,
  TrendVerdict,
} from '../core/types';
import { explainedSentence } from '../shared/explained';
import { stripControl } from '../shared/text';

export function signedRate(bytesPerMinute: number): string {
  return `${bytesPerMinute >= 0 ? '+' : '-'}${formatBytes(Math.abs(bytesPerMinute))}/min`;
}

export function displayPath(url: string, projectRoot: string): string {
  if (!url) return '(unknown)';
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  if (isAbsolute(path)) {
    const rel = relative(projectRoot, path);
    if (!rel.startsWith('..') && !isAbsolute(rel)) return rel;
  }
  return path;
}

export function location(frame: Pick<SourceFrame, 'url' | 'line' | 'column'>, projectRoot: string): string {
  const where = displayPath(frame.url, projectRoot);
  return frame.line > 0 ? `${where}:${frame.line}${frame.column > 0 ? `:${frame.column}` : ''}` : where;
}

export function progressLine(options: {
  elapsedSeconds: number;
  durationSeconds: number;
  sample?: MemorySample;
  verdict?: TrendVerdict;
  gcCount: number;
  state: string;
}): string {
  const parts = [`observing ${Math.floor(options.elapsedSeconds)}/${options.durationSeconds} s`];
  if (options.state === 'paused') parts.push('PAUSED');
  if (options.sample) {
    parts.push(`heap ${formatBytes(options.sample.heapUsedBytes)}`);
    parts.push(`external ${formatBytes(options.sample.externalBytes)}`);
  }
  if (options.verdict) {
    parts.push(`floor ${signedRate(options.verdict.growth.heapBytesPerMinute)}`);
    // Undecided, the reason says what the verdict waits for; decided, the confidence says how sure.
    parts.push(
      options.verdict.verdict === 'inconclusive'
        ? `inconclusive: ${uncapitalise(options.verdict.reason.replace(/\.$/, ''))}`
        : `${options.verdict.verdict} (${Math.round(options.verdict.growth.confidence * 100)}%)`,
    );
  }
  parts.push(`${options.gcCount} GCs`);
  return parts.join(' · ');
}

/** "Heap floor rising" → "heap floor rising"; "JS heap" stays. */
function uncapitalise(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

export function summaryText(report: ReportV1, projectRoot: string, maxSuspects = 5): string {
  const lines: string[] = [];
  const verdict =
    report.verdict === 'leak' ? 'LEAK' : report.verdict === 'no-leak' ? 'no leak' : 'inconclusive';
  lines.push(
    `heapscope: ${verdict} after ${report.durationSeconds} s (${report.samples} samples, ${report.gcEvents} GCs)`,
  );
  lines.push(`  ${report.reason}`);
  lines.push(
    `  growth: heap floor ${signedRate(report.growth.heapBytesPerMinute)}, external ${signedRate(
      report.growth.externalBytesPerMinute,
    )}` +
      (report.verdict === 'inconclusive'
        ? ''
        : `, confidence ${Math.round(report.growth.confidence * 100)}%`),
  );
  for (const isolate of report.isolates ?? []) lines.push(isolateLine(isolate, projectRoot));
  for (const entry of report.processes ?? []) lines.push(processLine(entry, projectRoot));
  for (const restart of report.restarts ?? [])
    lines.push(
      `  restart at ${restart.atSeconds} s: pid ${restart.endedPid} ended` +
        (restart.nextPid !== undefined
          ? `, pid ${restart.nextPid} followed ${restart.gapSeconds ?? 0} s later (series kept apart)`
          : ''),
    );
  const explained = report.verdict !== 'no-leak' ? explainedSentence(report.explained) : undefined;
  if (explained) lines.push(`  ${explained}`);
  if (report.minutesToHeapLimit !== undefined && report.heapLimitBytes) {
    lines.push(
      `  heap limit ${formatBytes(report.heapLimitBytes)} reached in about ${formatMinutes(report.minutesToHeapLimit)} at this rate`,
    );
  }
  if (report.targetExited)
    lines.push(`  target exited after ${report.targetExited.atSeconds} s: ${report.targetExited.message}`);
  if (report.suspects.length) {
    lines.push(
      report.verdict === 'leak' ? '  suspects (by growth of live bytes):' : '  growing allocation sites:',
    );
    for (const suspect of report.suspects.slice(0, maxSuspects)) {
      lines.push(
        `  ${suspect.rank}. ${suspect.functionName || '(anonymous)'}  ${location(suspect, projectRoot)}  ` +
          (suspect.pid !== undefined ? `(pid ${suspect.pid}) ` : '') +
          `${signedRate(suspect.growthBytesPerMinute)}, ${formatBytes(suspect.liveBytes)} live` +
          (suspect.kind === 'external' ? ' (off-heap)' : ''),
      );
      if (suspect.offHeap)
        lines.push(
          `       backing stores ${signedRate(suspect.offHeap.attributedGrowthBytesPerMinute)} (attributed ` +
            `estimate: ${Math.round(suspect.offHeap.share * 100)} % of the sampled Buffer wrappers' growth)`,
        );
      if (suspect.allocation) {
        const at = suspect.allocation;
        lines.push(
          `       allocates at ${location({ url: suspect.url, line: at.line, column: 0 }, projectRoot)}` +
            (at.callee ? ` (${at.callee})` : ''),
        );
      }
      if (suspect.holder) {
        const holder = suspect.holder;
        lines.push(
          `       held by ${holder.kind} ${holder.name}` +
            (holder.location ? ` at ${location(holder.location, projectRoot)}` : ''),
        );
      }
      if (suspect.note) lines.push(`       note: ${suspect.note}`);
      const caller = suspect.stack[1];
      if (caller)
        lines.push(
          `       called from ${caller.functionName || '(anonymous)'} ${location(caller, projectRoot)}`,
        );
    }
  }
  for (const snapshot of report.snapshots ?? []) {
    lines.push(`  heap snapshot (${snapshot.purpose}) paused the target ${snapshot.pauseMs} ms`);
  }
  if (report.holdersSkipped)
    lines.push(
      `  holders not named: ${report.holdersSkipped.reason} (${
        /budget/.test(report.holdersSkipped.reason)
          ? '--holders-budget gives them more time'
          : '--holders-max-heap moves the limit'
      })`,
    );
  // Names come from the target: no control character reaches the terminal.
  return lines.map(stripControl).join('\n');
}

/** One line per isolate: `  worker report-builder (worker.js): LEAK, heap floor +3.2 MiB/min`. */
function isolateLine(isolate: IsolateReport, projectRoot: string): string {
  const verdict =
    isolate.verdict === 'leak' ? 'LEAK' : isolate.verdict === 'no-leak' ? 'no leak' : 'inconclusive';
  const where =
    isolate.kind === 'main'
      ? 'main thread'
      : `worker ${isolate.name}` +
        (isolate.url ? ` (${location({ url: isolate.url, line: 0, column: 0 }, projectRoot)})` : '') +
        (isolate.ended ? ', ended' : '');
  return `  ${where}: ${verdict}, heap floor ${signedRate(isolate.growth.heapBytesPerMinute)}`;
}

/** One line per process of a launched tree: `  pid 4242 node server.js (app): LEAK, heap floor +3 MiB/min`. */
function processLine(entry: ProcessReport, projectRoot: string): string {
  const script = entry.command[1];
  const shown = script
    ? [displayPath(script, projectRoot), ...entry.command.slice(2, 4)].join(' ')
    : entry.command[0];
  const head = `  pid ${entry.pid} ${shown ?? 'node'}`;
  const ended = entry.endedAtSeconds !== undefined ? `, ended at ${entry.endedAtSeconds} s` : '';
  if (entry.role === 'wrapper')
    return `${head} (wrapper: ${entry.wrapper ?? 'only waits'}; not observed)${ended}`;
  const verdict =
    entry.verdict === 'leak'
      ? 'LEAK'
      : entry.verdict === 'no-leak'
        ? 'no leak'
        : (entry.verdict ?? 'not observed');
  const growth = entry.growth ? `, heap floor ${signedRate(entry.growth.heapBytesPerMinute)}` : '';
  return `${head} (${entry.role}): ${verdict}${growth}${ended}`;
}
