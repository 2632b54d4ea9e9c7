// The lines under the verdict: how much of the growth the suspects explain, and one line per isolate
// (main thread and workers) with its own verdict. Pure, so unit-tested without a browser.
import { explainedGrowth, explainedSentence } from '../src/shared/explained';
import type { IsolateReport, ProcessReport, Suspect, TrendVerdict } from '../src/shared/protocol';
import { formatRate, shortFile } from './format';

/** "suspects explain 92 % of the heap growth, 88 % of off-heap"; nothing when nothing rises. */
export function explainedText(
  verdict: TrendVerdict | null,
  suspects: readonly Suspect[],
  isolates?: readonly IsolateReport[],
): string {
  // A flat process has no growth to explain; a share of noise would read as a finding.
  if (!verdict || verdict.verdict === 'no-leak') return '';
  return explainedSentence(explainedGrowth(verdict, suspects, isolates)) ?? '';
}

export interface IsolateLine {
  id: string;
  /** `main thread`, or `worker <name> (<file>)`. */
  label: string;
  verdict: IsolateReport['verdict'];
  /** `LEAK · heap +3.2 MiB/min · external +0 B/min`. */
  text: string;
}

/** One line per isolate, main first; none when the process runs no worker thread. */
export function isolateLines(isolates: readonly IsolateReport[] | undefined): IsolateLine[] {
  if (!isolates || isolates.length < 2) return [];
  return isolates.map((isolate) => {
    const label =
      isolate.kind === 'main'
        ? 'main thread'
        : `worker ${isolate.name}` +
          (isolate.url ? ` (${shortFile(isolate.url)})` : '') +
          (isolate.ended ? ', ended' : '');
    const verdict =
      isolate.verdict === 'leak' ? 'LEAK' : isolate.verdict === 'no-leak' ? 'no leak' : 'watching…';
    const text = [
      verdict,
      `heap ${formatRate(isolate.growth.heapBytesPerMinute)}`,
      `external ${formatRate(isolate.growth.externalBytesPerMinute)}`,
    ].join(' · ');
    return { id: isolate.id, label, verdict: isolate.verdict, text };
  });
}

export interface ProcessLine {
  pid: number;
  /** `pid 4242 server.js --port 3000 (app)`, `, chart` for the one the chart follows, `, ended`. */
  label: string;
  /** The verdict's kind, `wrapper` for a process only listed. */
  verdict: ProcessReport['verdict'] | 'wrapper';
  /** `LEAK · heap +3.2 MiB/min`, or `wrapper (npm), not observed`. */
  text: string;
}

/** One line per process of a launched tree, in the order they were found; none for one process. */
export function processLines(
  processes: readonly ProcessReport[] | undefined,
  followedPid?: number,
): ProcessLine[] {
  if (!processes || processes.length < 2) return [];
  return processes.map((p) => {
    const script = p.command[1];
    const shown = script ? [shortFile(script), ...p.command.slice(2, 4)].join(' ') : (p.command[0] ?? 'node');
    const notes = [
      p.role,
      ...(p.pid === followedPid && p.role !== 'wrapper' ? ['chart'] : []),
      ...(p.endedAtSeconds !== undefined ? [`ended at ${p.endedAtSeconds} s`] : []),
    ];
    const label = `pid ${p.pid} ${shown} (${notes.join(', ')})`;
    if (p.role === 'wrapper')
      return {
        pid: p.pid,
        label,
        verdict: 'wrapper',
        text: `wrapper (${p.wrapper ?? 'only waits'}), not observed`,
      };
    const verdict =
      p.verdict === 'leak'
        ? 'LEAK'
        : p.verdict === 'no-leak'
          ? 'no leak'
          : p.verdict
            ? 'watching…'
            : 'not observed';
    const text = [verdict, ...(p.growth ? [`heap ${formatRate(p.growth.heapBytesPerMinute)}`] : [])].join(
      ' · ',
    );
    return { pid: p.pid, label, verdict: p.verdict, text };
  });
}

/** The growth cell of an off-heap suspect: sampled wrappers, then the attributed backing stores. */
export function growthCell(suspect: Suspect): { text: string; detail?: string; title?: string } {
  const sampled = formatRate(suspect.growthBytesPerMinute);
  if (!suspect.offHeap) return { text: sampled };
  return {
    text: sampled,
    detail: `≈ ${formatRate(suspect.offHeap.attributedGrowthBytesPerMinute)} backing stores`,
    title:
      `Sampled: ${sampled} of JS wrappers (Buffer / ArrayBuffer objects). Attributed (estimate): ` +
      `${formatRate(suspect.offHeap.attributedGrowthBytesPerMinute)} of off-heap backing stores, ` +
      `${Math.round(suspect.offHeap.share * 100)} % of the off-heap floor's ArrayBuffer growth.`,
  };
}
