// The live view's DOM: header (session, status, verdict), toolbar, chart, suspects table. Built with
// createElement and textContent only: function names and URLs come from the observed process and are
// never parsed as HTML.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { SessionListItem } from '../src/shared/protocol';
import type { IsolateReport, ProcessesBody, Suspect, TrendVerdict } from '../src/shared/protocol';
import { formatBytes, formatConfidence, formatMinutes, formatRate, shortFile } from './format';
import { el } from './dom';
import { explainedText, growthCell, isolateLines, processLines } from './summary';

export type ToolbarAction =
  | 'forceGc'
  | 'takeSnapshot'
  | 'toggleSampling'
  | 'exportCsv'
  | 'exportJson'
  | 'exportProfile'
  | 'comparePrometheus'
  | 'follow'
  | 'startSession'
  | 'stopSession';

/** Readable status line for a session state. */
export function describeState(state: string, readOnly: boolean, message?: string): string {
  if (readOnly) return 'recording (read-only)';
  switch (state) {
    case 'connecting':
      return 'connecting…';
    case 'observing':
      return 'live';
    case 'paused':
      return message ?? 'paused in the debugger';
    case 'reconnecting':
      return message ? `reconnecting: ${message}` : 'reconnecting…';
    case 'capturing':
      return 'taking heap snapshot — target paused';
    case 'naming-holders':
      return message ?? 'naming holders…';
    case 'stopping':
      return 'stopping…';
    case 'stopped':
      return 'stopped';
    case 'target-exited':
      return message ? `target exited: ${message}` : 'target exited';
    case 'error':
      return message ? `error: ${message}` : 'error';
    default:
      return state;
  }
}

export function verdictLabel(verdict: TrendVerdict | null): string {
  if (!verdict) return 'watching…';
  if (verdict.verdict === 'leak') return 'leak';
  if (verdict.verdict === 'no-leak') return 'no leak';
  return 'watching…';
}

export class LiveView {
  readonly root: HTMLElement;
  readonly chartHost: HTMLElement;
  private readonly sessionName = el('span', 'session-name', 'Heapscope');
  private readonly sessionSelect = el('select', 'session-select');
  private readonly statusBadge = el('span', 'status-badge', 'no session');
  private readonly verdictBox = el('div', 'verdict verdict-none');
  private readonly verdictLabelEl = el('span', 'verdict-label', 'watching…');
  private readonly verdictFigures = el('span', 'verdict-figures');
  private readonly verdictReason = el('div', 'verdict-reason');
  private readonly explained = el('div', 'explained');
  private readonly isolates = el('ul', 'isolates');
  private readonly processes = el('ul', 'isolates processes');
  private lastVerdict: TrendVerdict | null = null;
  private lastSuspects: readonly Suspect[] = [];
  private lastIsolates: readonly IsolateReport[] | undefined;
  private readonly notice = el('div', 'notice');
  private readonly toolbar = el('div', 'toolbar');
  private readonly buttons = new Map<ToolbarAction, HTMLElement>();
  private readonly suspectsBody = el('tbody');
  private readonly suspectsEmpty = el('div', 'suspects-empty', 'No leak suspects yet.');
  private readonly empty = el('div', 'empty');
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly compact: boolean;
  onAction: (action: ToolbarAction) => void = () => {};
  onSelectSession: (id: string) => void = () => {};
  onOpenSuspect: (suspect: Suspect) => void = () => {};
  /** A suspect's objects in the snapshot explorer. */
  onShowObjects: (suspect: Suspect) => void = () => {};

  constructor(app: HTMLElement) {
    this.root = app;
    const header = el('header', 'header');
    const title = el('div', 'title-row');
    this.sessionSelect.hidden = true;
    this.sessionSelect.setAttribute('aria-label', 'Session');
    this.sessionSelect.addEventListener('change', () => this.onSelectSession(this.sessionSelect.value));
    title.append(this.sessionName, this.sessionSelect, this.statusBadge);
    this.verdictBox.append(this.verdictLabelEl, this.verdictFigures);
    this.verdictBox.setAttribute('role', 'status');
    this.isolates.setAttribute('aria-label', 'Isolates');
    this.isolates.hidden = true;
    this.processes.setAttribute('aria-label', 'Processes');
    this.processes.hidden = true;
    this.explained.hidden = true;
    header.append(title, this.verdictBox, this.verdictReason, this.explained, this.processes, this.isolates);

    const actions: Array<[ToolbarAction, string, string, boolean]> = [
      ['follow', 'Pause', 'debug-pause', false],
      ['forceGc', 'Force GC', 'trash', true],
      ['takeSnapshot', 'Heap snapshot', 'device-camera', true],
      ['toggleSampling', 'Stop sampling', 'record', true],
      ['exportCsv', 'Export CSV', 'export', true],
      ['exportJson', 'Export JSON', 'json', true],
      ['exportProfile', 'Export .heapprofile', 'file-binary', true],
      ['comparePrometheus', 'Compare with Prometheus', 'graph-line', true],
    ];
    // The side bar is narrow: icon-only buttons with the label as tooltip; the editor panel has room
    // for labels.
    this.compact = document.body.dataset.view === 'sidebar';
    for (const [action, label, icon, secondary] of actions) {
      const button = document.createElement('vscode-button');
      this.labelButton(button, label, icon);
      button.dataset.action = action;
      if (secondary) button.setAttribute('secondary', '');
      button.addEventListener('click', () => this.onAction(action));
      this.buttons.set(action, button);
      this.toolbar.append(button);
    }

    this.chartHost = el('div', 'chart');
    this.chartHost.id = 'chart';

    const suspects = el('section', 'suspects');
    const heading = el('h2', undefined, 'Leak suspects');
    const table = el('table', 'suspects-table');
    const head = el('thead');
    const headRow = el('tr');
    for (const name of ['#', 'function', 'location', 'live', 'growth', 'held by'])
      headRow.append(el('th', undefined, name));
    head.append(headRow);
    table.append(head, this.suspectsBody);
    suspects.append(heading, table, this.suspectsEmpty);

    const emptyText = el('p', undefined, 'No memory session. Start one to see its memory live.');
    const startButton = document.createElement('vscode-button');
    startButton.textContent = 'Start memory session';
    startButton.dataset.action = 'startSession';
    startButton.addEventListener('click', () => this.onAction('startSession'));
    this.buttons.set('startSession', startButton);
    this.empty.append(emptyText, startButton);

    app.append(this.empty, header, this.toolbar, this.notice, this.chartHost, suspects);
    this.setHasSession(false);
  }

  private labelButton(button: HTMLElement, label: string, icon: string): void {
    button.setAttribute('icon', icon);
    button.title = label;
    button.setAttribute('aria-label', label);
    if (this.compact) {
      button.setAttribute('icon-only', '');
      button.textContent = '';
    } else {
      button.textContent = label;
    }
  }

  setHasSession(has: boolean): void {
    this.root.classList.toggle('has-session', has);
    this.root.dataset.hasSession = String(has);
  }

  setSessions(sessions: SessionListItem[], currentId: string | null): void {
    this.sessionSelect.replaceChildren(
      ...sessions.map((s) => {
        const option = el('option', undefined, s.ended ? `${s.name} (ended)` : s.name);
        option.value = s.id;
        option.selected = s.id === currentId;
        return option;
      }),
    );
    this.sessionSelect.hidden = sessions.length < 2;
    this.setHasSession(currentId !== null && sessions.some((s) => s.id === currentId));
  }

  setSession(name: string, readOnly: boolean): void {
    this.sessionName.textContent = name;
    this.root.classList.toggle('read-only', readOnly);
    for (const action of ['forceGc', 'takeSnapshot', 'toggleSampling', 'exportProfile'] as const) {
      const button = this.buttons.get(action);
      if (button) button.toggleAttribute('disabled', readOnly);
    }
  }

  setStatus(state: string, readOnly: boolean, message?: string): void {
    this.statusBadge.textContent = describeState(state, readOnly, message);
    this.statusBadge.className = `status-badge state-${readOnly ? 'recording' : state}`;
    this.root.dataset.state = readOnly ? 'recording' : state;
    const live =
      !readOnly &&
      ['observing', 'paused', 'connecting', 'reconnecting', 'capturing', 'naming-holders'].includes(state);
    for (const action of ['forceGc', 'takeSnapshot', 'toggleSampling'] as const)
      this.buttons.get(action)?.toggleAttribute('disabled', !live);
  }

  setSampling(on: boolean): void {
    const button = this.buttons.get('toggleSampling');
    if (button)
      this.labelButton(
        button,
        on ? 'Stop allocation sampling' : 'Start allocation sampling',
        on ? 'debug-stop' : 'record',
      );
    this.root.dataset.sampling = String(on);
  }

  setFollow(follow: boolean): void {
    const button = this.buttons.get('follow');
    if (button)
      this.labelButton(
        button,
        follow ? 'Pause (stop following)' : 'Follow live data',
        follow ? 'debug-pause' : 'play',
      );
    this.root.dataset.follow = String(follow);
  }

  setVerdict(verdict: TrendVerdict | null): void {
    this.lastVerdict = verdict;
    this.showExplained();
    const kind = verdict?.verdict ?? 'none';
    this.verdictBox.className = `verdict verdict-${kind}`;
    this.verdictLabelEl.textContent = verdictLabel(verdict);
    this.root.dataset.verdict = kind;
    if (!verdict) {
      this.verdictFigures.textContent = '';
      this.verdictReason.textContent = '';
      return;
    }
    const g = verdict.growth;
    const parts = [
      `heap ${formatRate(g.heapBytesPerMinute)}`,
      `external ${formatRate(g.externalBytesPerMinute)}`,
      // Undecided, the reason says what the verdict waits for; a confidence would say nothing.
      ...(verdict.verdict === 'inconclusive' ? [] : [`confidence ${formatConfidence(g.confidence)}`]),
      `heap limit in ${formatMinutes(verdict.minutesToHeapLimit)}`,
    ];
    this.verdictFigures.textContent = parts.join(' · ');
    this.verdictReason.textContent = verdict.reason;
    this.verdictBox.title = verdict.reason;
  }

  /** One line per isolate (main thread and workers) with its own verdict; hidden without workers. */
  setIsolates(isolates: readonly IsolateReport[] | undefined): void {
    this.lastIsolates = isolates;
    this.showExplained();
    const lines = isolateLines(isolates);
    this.isolates.hidden = lines.length === 0;
    this.root.dataset.isolates = String(lines.length);
    this.isolates.replaceChildren(
      ...lines.map((line) => {
        const item = el('li', `isolate isolate-${line.verdict}`);
        item.dataset.isolate = line.id;
        item.append(el('span', 'isolate-label', line.label), el('span', 'isolate-figures', line.text));
        return item;
      }),
    );
  }

  /** One line per process of a launched tree (wrappers listed, not observed); hidden for one process. */
  setProcesses(body: ProcessesBody | undefined): void {
    const lines = processLines(body?.processes, body?.followedPid);
    this.processes.hidden = lines.length === 0;
    this.root.dataset.processes = String(lines.length);
    this.processes.replaceChildren(
      ...lines.map((line) => {
        const item = el('li', `isolate process isolate-${line.verdict ?? 'none'}`);
        item.dataset.pid = String(line.pid);
        item.append(el('span', 'isolate-label', line.label), el('span', 'isolate-figures', line.text));
        return item;
      }),
    );
  }

  private showExplained(): void {
    const text = explainedText(this.lastVerdict, this.lastSuspects, this.lastIsolates);
    this.explained.textContent = text;
    this.explained.hidden = text === '';
  }

  setSuspects(suspects: readonly Suspect[]): void {
    this.lastSuspects = suspects;
    this.showExplained();
    this.suspectsEmpty.hidden = suspects.length > 0;
    // The holder is known only after a snapshot named it: no empty column until then.
    this.suspectsBody.parentElement?.classList.toggle('no-holders', !suspects.some((s) => s.holder));
    this.root.dataset.suspects = String(suspects.length);
    this.suspectsBody.replaceChildren(
      ...suspects.map((s) => {
        const row = el('tr', 'suspect-row');
        row.tabIndex = 0;
        // The line inside the function that allocates, when the engine found it; else the function's.
        const line = s.allocation?.line ?? s.line;
        row.title = s.allocation
          ? `Open ${s.url}:${line} (allocates in ${s.functionName || '(anonymous)'}, line ${s.line})`
          : `Open ${s.url}:${line}`;
        const location = `${shortFile(s.url)}:${line}`;
        const holder = s.holder ? `${s.holder.kind} ${s.holder.name}`.trim() : '';
        const fn = el('td', 'fn', s.functionName || '(anonymous)');
        if (s.note) {
          fn.append(el('div', 'note', s.note));
          row.title += `\n${s.note}`;
        }
        const objects = el('a', 'show-objects', 'objects');
        objects.href = '#';
        objects.title =
          'Show its objects in the heap snapshot explorer (the latest snapshot of this session)';
        objects.addEventListener('click', (e) => {
          e.preventDefault();
          e.stopPropagation();
          this.onShowObjects(s);
        });
        objects.addEventListener('keydown', (e) => e.stopPropagation());
        fn.append(' ', objects);
        row.append(
          el('td', 'rank', String(s.rank)),
          fn,
          el('td', 'loc', location),
          el('td', 'num', formatBytes(s.liveBytes)),
          growthTd(s),
          el('td', 'holder', holder),
        );
        const open = (): void => this.onOpenSuspect(s);
        row.addEventListener('click', open);
        row.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            open();
          }
        });
        return row;
      }),
    );
  }

  showNotice(level: 'info' | 'warning' | 'error', text: string): void {
    this.notice.textContent = text;
    this.notice.className = `notice notice-${level} visible`;
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => this.notice.classList.remove('visible'), 8000);
  }
}

function growthTd(suspect: Suspect): HTMLElement {
  const cell = growthCell(suspect);
  const td = el('td', 'num growth', cell.text);
  if (cell.detail) td.append(el('div', 'attributed', cell.detail));
  if (cell.title) td.title = cell.title;
  return td;
}
