// Text the extension shows for figures: CodeLens titles, status bar items, sparklines. Pure (no
// `vscode`), so it is unit-tested without an editor.
import { plainLabel } from '../shared/text';
import type { Suspect, TrendVerdict } from '../core/types';
import type { SessionState } from '../core/session/api';
import { formatBytes, formatMinutes, formatRate } from '../shared/format';

export { formatBytes, formatMinutes, formatRate };

/** The CodeLens over a suspect's function: `⚠ leak suspect · +2.1 MiB/min live · 14 MiB`. */
export function codeLensTitle(
  suspect: Pick<Suspect, 'growthBytesPerMinute' | 'liveBytes' | 'kind' | 'note'>,
): string {
  const what = suspect.kind === 'external' ? 'leak suspect (off-heap)' : 'leak suspect';
  const guess = suspect.note ? ' · approximate location' : '';
  return `⚠ ${what} · ${formatRate(suspect.growthBytesPerMinute)} live · ${formatBytes(suspect.liveBytes)}${guess}`;
}

/** The lens over a holder's declaration (the variable or field that keeps the objects). */
export function holderLensTitle(suspect: Pick<Suspect, 'growthBytesPerMinute' | 'holder'>): string {
  const holder = suspect.holder;
  const kept = holder?.retainedBytes !== undefined ? ` · keeps ${formatBytes(holder.retainedBytes)}` : '';
  const count = holder?.count !== undefined ? ` in ${holder.count} objects` : '';
  return (
    `⚠ holds leaking objects (${plainLabel(holder?.kind ?? 'holder')} ${plainLabel(holder?.name ?? '')})`.replace(
      ' )',
      ')',
    ) + `${kept}${count} · ${formatRate(suspect.growthBytesPerMinute)}`
  );
}

const STATE_WORDS: Record<SessionState, string> = {
  connecting: 'connecting…',
  observing: 'watching…',
  paused: 'paused',
  reconnecting: 'reconnecting…',
  capturing: 'taking heap snapshot — target paused',
  'naming-holders': 'naming holders — target pauses',
  stopping: 'stopping…',
  stopped: 'stopped',
  'target-exited': 'target exited',
  error: 'error',
};

export interface StatusSummary {
  name: string;
  state: SessionState;
  verdict?: TrendVerdict;
  heapUsedBytes?: number;
}

/** Verdict word as the view and the status bar say it. */
export function verdictWord(verdict: TrendVerdict | undefined, state: SessionState): string {
  if (state !== 'observing') return STATE_WORDS[state];
  if (!verdict) return 'watching…';
  if (verdict.verdict === 'leak')
    return `leak ${formatRate(verdict.growth.heapBytesPerMinute + verdict.growth.externalBytesPerMinute)}`;
  if (verdict.verdict === 'no-leak') return 'no leak';
  return 'watching…';
}

/** Status bar text: `$(pulse) api: leak +2.1 MiB/min · 84 MiB`. Codicons render in status bar items. */
export function statusBarText(summary: StatusSummary): string {
  const icon =
    summary.state === 'paused'
      ? '$(debug-pause)'
      : summary.verdict?.verdict === 'leak' && summary.state === 'observing'
        ? '$(warning)'
        : summary.state === 'error' || summary.state === 'target-exited'
          ? '$(error)'
          : '$(pulse)';
  const heap = summary.heapUsedBytes !== undefined ? ` · ${formatBytes(summary.heapUsedBytes)}` : '';
  return `${icon} ${summary.name}: ${verdictWord(summary.verdict, summary.state)}${heap}`;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A text sparkline of the last `width` values (resampled by taking the last value per bucket). */
export function sparkline(values: readonly number[], width = 24): string {
  if (values.length === 0) return '';
  const buckets: number[] = [];
  const step = values.length / Math.min(width, values.length);
  for (let i = 1; i <= Math.min(width, values.length); i++) {
    buckets.push(values[Math.min(values.length - 1, Math.ceil(i * step) - 1)]!);
  }
  const min = Math.min(...buckets);
  const max = Math.max(...buckets);
  if (max === min) return BARS[0]!.repeat(buckets.length);
  return buckets.map((v) => BARS[Math.round(((v - min) / (max - min)) * (BARS.length - 1))]).join('');
}
