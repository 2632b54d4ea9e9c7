// Entry of the heap snapshot explorer's webview (dist/webview/explorer.js). It holds no graph: every
// table asks the host (and the worker behind it) for the rows it shows. Layout: a header, tabs
// (Summary, Containment, Comparison), and under the Summary and Containment tables the retainers of
// the selected object.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import './styles.css';
import type {
  ClassRow,
  Comparison,
  ExplorerHostMessage,
  ObjectRow,
  ProvisionalTable,
  RetainerTree,
  SnapshotInfo,
} from '../../src/shared/explorerProtocol';
import { isExplorerHostMessage } from '../../src/shared/explorerProtocol';
import { bytes, count, openFrame, setTotalBytes, signedBytes, sourceLink } from './cells';
import { ask, pickBaseline, send, settle, timings, type QueryTiming } from './rpc';
import { ComparisonView, ContainmentView, PAGE, RetainersView, SummaryView, type SummaryItem } from './views';
import { el } from '../dom';

interface ExplorerState {
  /** 'provisional': parsed, the class table shown without retained sizes while the analysis runs. */
  phase: 'loading' | 'provisional' | 'loaded' | 'failed';
  info?: SnapshotInfo;
  error?: string;
  /** performance.now() when the first Summary rows were on screen (the provisional table's, if any). */
  firstTableMs?: number;
  /** performance.now() when the analysed table (with retained sizes) was on screen. */
  fullTableMs?: number;
  timings: QueryTiming[];
}

declare global {
  interface Window {
    /** For the e2e tests and the explorer bench: what the explorer shows and how long it took. */
    heapscopeExplorer?: ExplorerState;
  }
}

const state: ExplorerState = { phase: 'loading', timings };
window.heapscopeExplorer = state;

const app = document.getElementById('app') ?? document.body.appendChild(el('div'));
app.className = 'explorer';
app.dataset.phase = 'loading';

// ---- loading / error ------------------------------------------------------------------------------
const loading = el('div', 'loading-pane');
const loadingText = el('div', 'loading-text', 'Opening the snapshot…');
const progress = document.createElement('vscode-progress-bar');
loading.append(loadingText, progress);
const failure = el('div', 'failure');
failure.setAttribute('role', 'alert');
failure.hidden = true;

// ---- header ---------------------------------------------------------------------------------------
const header = el('div', 'header');
const title = el('span', 'title');
const figures = el('span', 'figures muted');
header.append(title, figures);

// ---- tabs -----------------------------------------------------------------------------------------
const summary = new SummaryView();
const retainers = new RetainersView();
const containment = new ContainmentView();
const comparison = new ComparisonView();

const tabs = document.createElement('vscode-tabs');
const tabNames = ['Summary', 'Containment', 'Comparison'];
const panels = tabNames.map((name) => {
  const tabHeader = document.createElement('vscode-tab-header');
  tabHeader.slot = 'header';
  tabHeader.textContent = name;
  tabHeader.id = `tab-${name.toLowerCase()}`;
  const panel = document.createElement('vscode-tab-panel');
  panel.className = `panel panel-${name.toLowerCase()}`;
  tabs.append(tabHeader, panel);
  return panel;
});

// Summary: filter and search above the class table.
const toolbar = el('div', 'toolbar');
const filter = document.createElement('vscode-textfield');
filter.placeholder = 'Filter constructors';
filter.className = 'filter';
filter.setAttribute('aria-label', 'Filter constructors');
const search = document.createElement('vscode-textfield');
search.placeholder = 'Find @id or a string value';
search.className = 'search';
search.setAttribute('aria-label', 'Find an object by @id or strings by value');
const searchStatus = el('span', 'search-status muted');
toolbar.append(filter, search, searchStatus);

const retainersHeader = el('span', 'section-title', 'Retainers');
const keepsAlive = el('a', 'keeps-alive', 'What it keeps alive');
keepsAlive.href = '#';
keepsAlive.title = 'Its dominator subtree, in Containment (key d on an object)';
keepsAlive.hidden = true;
keepsAlive.addEventListener('click', (e) => {
  e.preventDefault();
  if (retainers.target) void keepAlive(retainers.target);
});
const retainersBar = el('div', 'retainers-bar');
retainersBar.append(retainersHeader, keepsAlive);
const retainersPane = el('div', 'retainers-pane');
retainersPane.append(retainersBar, retainers.list.element);

const summaryTop = el('div', 'split-top');
summaryTop.append(toolbar, summary.list.element);
panels[0].append(summaryTop);

const containmentTop = el('div', 'split-top');
const containmentBar = el('div', 'toolbar');
const containmentTitle = el(
  'span',
  'muted',
  'Dominator tree from the GC roots: what each object keeps alive on its own.',
);
const fromRoot = document.createElement('vscode-button');
fromRoot.textContent = 'From the GC roots';
fromRoot.setAttribute('secondary', '');
fromRoot.addEventListener('click', () => {
  containmentTitle.textContent = 'Dominator tree from the GC roots: what each object keeps alive on its own.';
  void containment.showFrom(0);
});
containmentBar.append(containmentTitle, fromRoot);
containmentTop.append(containmentBar, containment.list.element);
panels[1].append(containmentTop);

const comparisonBar = el('div', 'toolbar');
const compareButton = document.createElement('vscode-button');
compareButton.textContent = 'Compare with earlier snapshot…';
compareButton.className = 'compare-button';
const comparisonStatus = el('span', 'comparison-status muted');
comparisonBar.append(compareButton, comparisonStatus);
const comparisonExtra = el('div', 'comparison-extra');
panels[2].append(comparisonBar, comparison.list.element, comparisonExtra);

const main = el('div', 'main');
main.append(tabs, retainersPane);
main.hidden = true;
header.hidden = true;
app.append(header, loading, failure, main);

let currentTab = 0;
tabs.addEventListener('vsc-tabs-select', (e) => {
  currentTab = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
  retainersPane.hidden = currentTab === 2;
  if (currentTab === 1 && containment.list.rowCount === 0) void containment.showFrom(0);
  for (const list of [summary.list, containment.list, comparison.list]) list.render();
});

// ---- selection → retainers ------------------------------------------------------------------------
async function showRetainers(row: ObjectRow, tree?: RetainerTree): Promise<void> {
  retainersHeader.textContent = `Retainers of ${row.label} @${row.id}`;
  retainersPane.dataset.target = String(row.id);
  keepsAlive.hidden = row.dominatedCount === 0;
  await retainers.show(row, tree);
}

summary.list.onSelect = (item: SummaryItem | undefined) => {
  if (item?.kind === 'object') void showRetainers(item.row);
};
summary.list.onActivate = (item) => {
  if (item.kind === 'object' && item.row.location) openFrame(item.row.location);
};
summary.list.onKey = (key, item) => {
  // "What does this object keep alive": its dominator subtree in the Containment tab.
  if (key !== 'd' || item.kind !== 'object') return false;
  void keepAlive(item.row);
  return true;
};
containment.list.onSelect = (row) => {
  if (row) void showRetainers(row);
};
containment.list.onActivate = (row) => {
  if (row.location) openFrame(row.location);
};
retainers.list.onActivate = (row) => {
  const frame = row.declaration ?? row.holder.location;
  if (frame) openFrame(frame);
};

async function keepAlive(row: ObjectRow): Promise<void> {
  tabs.selectedIndex = 1;
  currentTab = 1;
  containmentTitle.textContent = `What ${row.label} @${row.id} keeps alive (its dominator subtree).`;
  await containment.showFrom(row.ordinal);
}

// ---- filter and search ----------------------------------------------------------------------------
// Filtered here, in the page (views.ts): no round trip, so each keystroke filters at once.
filter.addEventListener('input', () => void summary.setFilter(filter.value));

const searchResults = el('div', 'search-results');
toolbar.after(searchResults);
search.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') void runSearch(search.value.trim());
});

async function runSearch(text: string): Promise<void> {
  searchResults.replaceChildren();
  searchStatus.textContent = '';
  if (!text) return;
  const id = /^@?(\d+)$/.exec(text);
  if (id) {
    // The object with its retainers tree: one round trip, then one render.
    const found = await ask({ kind: 'find', id: Number(id[1]), limit: PAGE });
    if (!found) {
      searchStatus.textContent = `No object @${id[1]}.`;
      return;
    }
    const { row, tree } = found;
    searchStatus.textContent = `${row.className} @${row.id}`;
    searchResults.append(resultLine(row));
    await showRetainers(row, tree);
    return;
  }
  const page = await ask({ kind: 'searchStrings', text, limit: 20 });
  searchStatus.textContent = `${count(page.total)} string${page.total === 1 ? '' : 's'} contain “${text}”${page.total > page.rows.length ? ` (largest ${page.rows.length} shown)` : ''}.`;
  for (const row of page.rows) searchResults.append(resultLine(row));
  // A constructor name is a search too: the filter shows it.
  filter.value = text;
  await summary.setFilter(text);
}

function resultLine(row: ObjectRow): HTMLElement {
  const line = el('div', 'search-result');
  line.tabIndex = 0;
  const label = el('span', 'object-label', `${row.label} @${row.id}`);
  line.append(label, el('span', 'muted', ` ${bytes(row.retainedBytes)} retained`), sourceLink(row.location));
  const choose = (): void => void showRetainers(row);
  line.addEventListener('click', choose);
  line.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') choose();
  });
  return line;
}

// ---- comparison -----------------------------------------------------------------------------------
compareButton.addEventListener('click', () => void compare());

async function compare(): Promise<void> {
  const files = await pickBaseline();
  if (files.length === 0) return;
  comparisonStatus.textContent = `Reading ${files.map(baseName).join(' and ')}…`;
  try {
    const result = await ask({
      kind: 'compare',
      baseFile: files[0],
      ...(files[1] ? { middleFile: files[1] } : {}),
      holders: 5,
    });
    showComparison(result);
  } catch (error) {
    comparisonStatus.textContent = (error as Error).message;
  }
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

function showComparison(result: Comparison): void {
  const against = result.middleFile
    ? `${baseName(result.baseFile)} → ${baseName(result.middleFile)}`
    : baseName(result.baseFile);
  comparisonStatus.textContent = `Since ${against}: ${count(result.newCount)} new (${bytes(result.newBytes)}), ${count(result.deletedCount)} deleted (${bytes(result.deletedBytes)}), ${signedBytes(result.newBytes - result.deletedBytes)}.`;
  void comparison.show(result);
  comparisonExtra.replaceChildren();
  if (result.between) {
    const section = el('div', 'between');
    section.append(
      el(
        'div',
        'section-title',
        `Allocated between ${baseName(result.baseFile)} and ${baseName(result.middleFile ?? '')}, still alive here: ${count(result.between.total)} objects, ${bytes(result.between.bytes)}`,
      ),
    );
    for (const row of result.between.rows.slice(0, 20))
      section.append(el('div', 'between-row', `${row.name} ×${count(row.count)}  ${bytes(row.bytes)}`));
    comparisonExtra.append(section);
  }
  if (result.holders?.length) {
    const section = el('div', 'holders');
    section.append(el('div', 'section-title', 'What holds the new objects'));
    for (const holder of result.holders) {
      const block = el('div', 'holder');
      const head = el(
        'div',
        'holder-head',
        `${holder.constructorName} ×${count(holder.addedCount)} (${bytes(holder.addedBytes)}) `,
      );
      head.append(sourceLink(holder.location));
      block.append(head);
      for (const step of holder.path) block.append(el('div', 'holder-step', step));
      section.append(block);
    }
    comparisonExtra.append(section);
  }
}

// ---- host messages --------------------------------------------------------------------------------
let focusWhenLoaded: Extract<ExplorerHostMessage, { type: 'focus' }> | undefined;

async function applyFocus(focus: Extract<ExplorerHostMessage, { type: 'focus' }>): Promise<void> {
  tabs.selectedIndex = 0;
  if (focus.className) {
    const className = focus.className;
    // What an earlier focus found is not about this one.
    searchResults.replaceChildren();
    searchStatus.textContent = '';
    filter.value = className;
    await summary.setFilter(className);
    // A holder's lens: the largest object the holder keeps, not the class's largest overall.
    const held =
      focus.path && focus.via ? await ask({ kind: 'largestHeldVia', className, via: focus.via }) : null;
    await summary.showClass(className, focus.path === true && !held);
    if (held) {
      searchStatus.textContent = `Largest ${className} held through ${focus.via}: @${held.id}`;
      if (!summary.selectObject(className, held.ordinal)) {
        searchResults.replaceChildren(resultLine(held));
        await showRetainers(held);
      }
    } else if (focus.path && focus.via)
      searchStatus.textContent = `No ${className} held through ${focus.via} here: the largest ${className} is shown.`;
  }
  if (focus.id !== undefined) {
    search.value = `@${focus.id}`;
    await runSearch(`@${focus.id}`);
  }
}

/** The header's figures before the analysis: what the parse gives. */
function parsedFigures(info: ProvisionalTable['info']): string {
  return ` ${count(info.nodeCount)} objects · ${bytes(info.totalBytes)} · ${count(info.classCount)} constructors · parsed in ${count(info.parseMs)} ms`;
}

let analysing = '';
async function provisional(table: ProvisionalTable, fileName: string): Promise<void> {
  state.phase = 'provisional';
  app.dataset.phase = 'provisional';
  setTotalBytes(table.info.totalBytes);
  title.textContent = fileName;
  analysing = parsedFigures(table.info);
  figures.textContent = `${analysing} · retained sizes: computing…`;
  loading.hidden = true;
  header.hidden = false;
  main.hidden = false;
  summary.setProvisional(table.classes);
  await summary.list.reload();
  if (state.phase !== 'provisional') return;
  summary.list.render();
  state.firstTableMs = performance.now();
  app.dataset.firstTable = 'true';
  summary.list.focus();
}

async function loaded(info: SnapshotInfo, fileName: string, classes?: ClassRow[]): Promise<void> {
  const wasProvisional = state.phase === 'provisional';
  state.phase = 'loaded';
  state.info = info;
  app.dataset.phase = 'loaded';
  setTotalBytes(info.totalBytes);
  title.textContent = fileName;
  figures.textContent = ` ${count(info.nodeCount)} objects · ${bytes(info.totalBytes)} · ${count(info.classCount)} constructors · parsed in ${count(info.parseMs)} ms, analysed in ${count(info.analyseMs)} ms`;
  loading.hidden = true;
  header.hidden = false;
  main.hidden = false;
  if (classes) summary.setFull(classes);
  await summary.list.reload();
  summary.list.render();
  state.fullTableMs = performance.now();
  state.firstTableMs ??= state.fullTableMs;
  app.dataset.firstTable = 'true';
  app.dataset.fullTable = 'true';
  if (!wasProvisional) summary.list.focus();
  if (focusWhenLoaded) await applyFocus(focusWhenLoaded);
  focusWhenLoaded = undefined;
}

function handle(message: ExplorerHostMessage): void {
  if (settle(message)) return;
  switch (message.type) {
    case 'loading':
      if (state.phase === 'provisional') {
        // The table is on screen: the analysis's phases go in the header.
        figures.textContent = `${analysing} · retained sizes: computing (${message.phase})…`;
        break;
      }
      title.textContent = message.fileName;
      loadingText.textContent =
        message.phase === 'reading' && message.fraction !== undefined
          ? `Reading ${message.fileName}: ${Math.floor(message.fraction * 100)} %`
          : `Analysing ${message.fileName}: ${message.phase}…`;
      if (message.fraction !== undefined) {
        progress.indeterminate = false;
        progress.value = message.fraction * 100;
      } else progress.indeterminate = true;
      break;
    case 'provisional':
      if (state.phase === 'loading') void provisional(message.table, message.fileName);
      break;
    case 'loaded':
      if (state.phase !== 'loaded') void loaded(message.info, message.fileName, message.classes);
      break;
    case 'loadFailed':
      state.phase = 'failed';
      state.error = message.message;
      app.dataset.phase = 'failed';
      loading.hidden = true;
      main.hidden = true;
      failure.hidden = false;
      failure.replaceChildren(
        el('div', 'failure-title', `Heapscope cannot open ${message.fileName}`),
        el('div', 'failure-message', message.message),
      );
      break;
    case 'focus':
      if (state.phase === 'loaded') void applyFocus(message);
      else focusWhenLoaded = message;
      break;
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  if (isExplorerHostMessage(event.data)) handle(event.data);
});

send({ type: 'ready' });
