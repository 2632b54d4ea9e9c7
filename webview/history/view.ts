// The history view's DOM: the container, the verdict with its reason, growth per day and time to the
// limit, restarts and OOM kills, the live session's figures when one runs on the same pod, a toolbar
// and the chart. createElement and textContent only: labels come from a remote server.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { HistoryLiveFigures } from '../../src/shared/historyProtocol';
import type { PromHistory } from '../../src/shared/prometheusTypes';
import { formatBytes, formatRate } from '../format';
import { timeToLimit, verdictWords } from './words';
import { el } from '../dom';

export type HistoryAction =
  'compare' | 'resetZoom' | 'exportCsv' | 'exportJson' | 'reload' | 'pickAnother' | 'attach';

export class HistoryView {
  readonly chartHost = el('div', 'chart');
  private readonly title = el('span', 'session-name', 'Prometheus history');
  private readonly window = el('span', 'status-badge', '');
  private readonly verdictBox = el('div', 'verdict verdict-none');
  private readonly verdictLabel = el('span', 'verdict-label', 'loading…');
  private readonly verdictFigures = el('span', 'verdict-figures');
  private readonly summary = el('div', 'verdict-reason summary');
  private readonly reason = el('div', 'verdict-reason');
  private readonly live = el('div', 'live-figures');
  private readonly notice = el('div', 'notice');
  private readonly buttons = new Map<HistoryAction, HTMLElement>();
  onAction: (action: HistoryAction) => void = () => {};

  constructor(private readonly app: HTMLElement) {
    const header = el('header', 'header');
    const titleRow = el('div', 'title-row');
    titleRow.append(this.title, this.window);
    this.verdictBox.append(this.verdictLabel, this.verdictFigures);
    this.verdictBox.setAttribute('role', 'status');
    header.append(titleRow, this.verdictBox, this.summary, this.reason);
    const toolbar = el('div', 'toolbar');
    const actions: Array<[HistoryAction, string, string]> = [
      ['compare', 'Compare replicas', 'split-horizontal'],
      ['resetZoom', 'Whole window', 'zoom-out'],
      ['exportCsv', 'Export CSV', 'export'],
      ['exportJson', 'Export JSON', 'json'],
      ['reload', 'Reload', 'refresh'],
      ['pickAnother', 'Another container…', 'list-selection'],
      ['attach', 'Attach live session', 'debug-alt'],
    ];
    for (const [action, label, icon] of actions) {
      const button = document.createElement('vscode-button');
      button.textContent = label;
      button.setAttribute('icon', icon);
      button.setAttribute('secondary', '');
      button.dataset.action = action;
      button.addEventListener('click', () => this.onAction(action));
      this.buttons.set(action, button);
      toolbar.append(button);
    }
    this.live.hidden = true;
    this.chartHost.id = 'chart';
    app.append(header, this.live, this.notice, toolbar, this.chartHost);
    app.classList.add('has-session');
  }

  setLoading(title: string): void {
    this.title.textContent = title;
    this.app.dataset.state = 'loading';
    this.verdictBox.className = 'verdict verdict-none';
    this.verdictLabel.textContent = 'loading…';
    this.verdictFigures.textContent = '';
    this.summary.textContent = '';
    this.reason.textContent = '';
    this.showNotice('');
  }

  setError(title: string, text: string): void {
    this.title.textContent = title;
    this.app.dataset.state = 'error';
    this.verdictLabel.textContent = 'no history';
    this.showNotice(text);
  }

  setHistory(title: string, history: PromHistory): void {
    const v = history.verdict;
    this.title.textContent = title;
    const days = (history.end - history.start) / 86400;
    this.window.textContent = `${days >= 1 ? `${Math.round(days * 10) / 10} days` : `${Math.round(days * 24)} h`}, step ${history.stepSeconds} s`;
    this.app.dataset.state = 'shown';
    this.app.dataset.verdict = v.verdict;
    this.verdictBox.className = `verdict verdict-${v.verdict}`;
    this.verdictLabel.textContent = verdictWords(v.verdict);
    const restarts = history.events.filter((e) => e.kind === 'restart').length;
    const ooms = history.events.filter((e) => e.kind === 'oom-kill').length;
    const figures = [
      v.verdict === 'leak' ? `+${formatBytes(v.bytesPerDay)}/day` : undefined,
      v.verdict === 'leak' && v.limitBytes
        ? `${formatBytes(v.limitBytes)} limit in ${timeToLimit(v.daysToLimit) ?? '–'}`
        : v.limitBytes
          ? `limit ${formatBytes(v.limitBytes)}`
          : undefined,
      `${restarts} restart${restarts === 1 ? '' : 's'}`,
      `${ooms} OOM kill${ooms === 1 ? '' : 's'}`,
      `confidence ${Math.round(v.growth.confidence * 100)} %`,
    ].filter(Boolean);
    this.verdictFigures.textContent = figures.join(' · ');
    this.summary.textContent = v.summary;
    this.reason.textContent = v.reason;
    const replicas = history.replicas?.length ?? 0;
    this.buttons.get('compare')!.toggleAttribute('disabled', replicas < 2);
    this.buttons.get('compare')!.title = replicas < 2 ? 'One pod in this window' : `${replicas} pods`;
    this.showNotice(history.warnings.length ? `Notes: ${history.warnings.join(' · ')}` : '');
  }

  setCompare(on: boolean): void {
    this.buttons.get('compare')!.textContent = on ? 'Joined line' : 'Compare replicas';
    this.app.dataset.compare = String(on);
  }

  setLive(live: HistoryLiveFigures | null): void {
    this.live.hidden = !live;
    this.app.dataset.live = live ? 'true' : 'false';
    if (!live) return;
    const since = new Date(live.startedAtMs).toISOString().replace('T', ' ').slice(0, 16);
    const parts = [
      `Live session “${live.sessionName}” (${live.state}) since ${since} UTC`,
      live.heapUsedBytes !== undefined ? `heap used ${formatBytes(live.heapUsedBytes)}` : undefined,
      live.rssBytes !== undefined ? `RSS ${formatBytes(live.rssBytes)}` : undefined,
      live.verdict
        ? `${verdictWords(live.verdict)}${live.heapBytesPerMinute !== undefined && live.verdict === 'leak' ? ` ${formatRate(live.heapBytesPerMinute)}` : ''}`
        : 'verdict: watching…',
    ].filter(Boolean);
    this.live.textContent = parts.join(' · ');
  }

  private showNotice(text: string): void {
    this.notice.textContent = text;
    this.notice.classList.toggle('visible', Boolean(text));
  }
}
