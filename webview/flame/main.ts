// Entry of the allocation flame graph's webview (dist/webview/flame.js): live bytes by stack from a
// sampling heap profile, drawn as positioned boxes (only those at least half a pixel wide in the
// current zoom). Click a frame to zoom to it, Enter or the link opens its code; search highlights
// frames by name or file; Icicle (root on top), Flame (root at the bottom) or a table by function.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './styles.css';
import {
  isFlameHostMessage,
  type FlameFrame,
  type FlameGraph,
  type FlameHostMessage,
  type FlameIntent,
  type FunctionTotal,
  type GrowthSite,
} from '../../src/shared/flameProtocol';
import { frameGrowth } from '../../src/shared/flameGrowth';
import { formatBytes, shortFile } from '../format';
import { el } from '../dom';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const api: VsCodeApi =
  typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage: () => undefined };
const send = (intent: FlameIntent): void => api.postMessage(intent);

declare global {
  interface Window {
    /** For the e2e tests: what the flame graph shows. */
    heapscopeFlame?: {
      frames: number;
      drawn: number;
      selected?: string;
      zoomed?: string;
      mode: string;
      growth?: boolean;
      /** Growing sites the host sent (a live session's suspects); undefined for a file. */
      growthSites?: number;
    };
  }
}

const ROW = 18;
type Mode = 'icicle' | 'flame' | 'table';
const CATEGORY_LABELS: Record<FlameFrame['category'], string> = {
  user: 'Your code',
  dependency: 'Dependencies (node_modules)',
  node: 'Node.js',
  native: 'V8 / native',
};

const app = document.getElementById('app') ?? document.body.appendChild(el('div'));
app.className = 'flame-app';
const header = el('div', 'header');
const title = el('span', 'title');
const totals = el('span', 'muted');
header.append(title, totals);
const toolbar = el('div', 'toolbar');
const search = document.createElement('vscode-textfield');
search.placeholder = 'Search functions or files';
search.className = 'search';
search.setAttribute('aria-label', 'Search functions or files');
const searchStatus = el('span', 'muted search-status');
const modeButtons = new Map<Mode, HTMLElement>();
for (const [mode, label] of [
  ['icicle', 'Icicle'],
  ['flame', 'Flame'],
  ['table', 'Table'],
] as const) {
  const button = document.createElement('vscode-button');
  button.textContent = label;
  button.className = `mode mode-${mode}`;
  button.addEventListener('click', () => setMode(mode));
  modeButtons.set(mode, button);
}
// Growth colouring: shown for a live session's profile (its growing allocation sites).
const growthButton = document.createElement('vscode-button');
growthButton.textContent = 'Growth';
growthButton.className = 'growth-toggle';
growthButton.setAttribute('secondary', '');
growthButton.title = 'Colour frames by how fast the live bytes below them grow (the session’s suspects)';
growthButton.hidden = true;
growthButton.addEventListener('click', () => {
  growthColours = !growthColours;
  if (growthColours) growthButton.removeAttribute('secondary');
  else growthButton.setAttribute('secondary', '');
  legend.classList.toggle('growth', growthColours);
  state.growth = growthColours;
  schedule();
});
const reset = document.createElement('vscode-button');
reset.textContent = 'Reset zoom';
reset.setAttribute('secondary', '');
reset.addEventListener('click', () => zoomTo(0));
toolbar.append(search, searchStatus, ...modeButtons.values(), growthButton, reset);

const legend = el('div', 'legend');
for (const [category, label] of Object.entries(CATEGORY_LABELS)) {
  const item = el('span', 'legend-item');
  item.append(el('span', `swatch cat-${category}`), document.createTextNode(label));
  legend.append(item);
}
const growthLegend = el('span', 'legend-growth');
growthLegend.append(
  el('span', 'swatch growth-4'),
  document.createTextNode('growing fast'),
  el('span', 'swatch growth-1'),
  document.createTextNode('growing slowly'),
  el('span', 'swatch growth-none'),
  document.createTextNode('not growing'),
);
legend.append(
  growthLegend,
  el('span', 'muted', 'Width: live bytes sampled under the frame. Click: zoom. Enter / link: open code.'),
);

const detail = el('div', 'detail');
const area = el('div', 'flame-area');
area.tabIndex = 0;
area.setAttribute('role', 'application');
area.setAttribute('aria-label', 'Allocation flame graph');
const canvas = el('div', 'flame-canvas');
area.append(canvas);
const table = el('div', 'function-table');
table.hidden = true;
const failure = el('div', 'failure');
failure.hidden = true;
app.append(header, toolbar, legend, detail, area, table, failure);

let graph: FlameGraph | undefined;
let growthColours = false;
let growthRates: Float64Array = new Float64Array(0);
let growthMax = 0;
let functions: FunctionTotal[] = [];
let mode: Mode = 'icicle';
let zoomed = 0;
let selected = 0;
let needle = '';
let frame = 0;
const state = { frames: 0, drawn: 0, mode: 'icicle' } as NonNullable<Window['heapscopeFlame']>;
window.heapscopeFlame = state;

function percentOf(bytes: number): string {
  const total = graph?.totalBytes || 1;
  return `${((bytes / total) * 100).toFixed(1)} %`;
}

function matches(f: FlameFrame): boolean {
  return (
    needle !== '' && (f.functionName.toLowerCase().includes(needle) || f.url.toLowerCase().includes(needle))
  );
}

function sourceLink(f: { url: string; line: number; column: number; functionName: string }): HTMLElement {
  if (!f.url) return el('span', 'muted', '(no source)');
  const link = el('a', 'source-link', `${shortFile(f.url)}:${f.line}`);
  link.href = '#';
  link.title = `${f.url}:${f.line}:${f.column}`;
  link.addEventListener('click', (e) => {
    e.preventDefault();
    e.stopPropagation();
    send({ type: 'openSource', url: f.url, line: f.line, column: f.column });
  });
  return link;
}

function showDetail(): void {
  const f = graph?.frames[selected];
  if (!f) return;
  detail.replaceChildren(
    el('span', 'detail-name', f.functionName),
    document.createTextNode(' '),
    sourceLink(f),
    el(
      'span',
      'muted',
      `  ${formatBytes(f.totalBytes)} total (${percentOf(f.totalBytes)}), ${formatBytes(f.selfBytes)} allocated here · ${CATEGORY_LABELS[f.category]}`,
    ),
  );
  state.selected = f.functionName;
}

function schedule(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    draw();
  });
}

function draw(): void {
  if (!graph || mode === 'table') return;
  const width = area.clientWidth || 800;
  const focus = graph.frames[zoomed];
  const viewStart = focus.startBytes;
  const viewBytes = Math.max(1, focus.totalBytes);
  const rows = graph.maxDepth + 1;
  canvas.style.height = `${rows * ROW}px`;
  const boxes: HTMLElement[] = [];
  for (const f of graph.frames) {
    const x = ((f.startBytes - viewStart) / viewBytes) * width;
    const w = (f.totalBytes / viewBytes) * width;
    const left = Math.max(0, x);
    const right = Math.min(width, x + w);
    if (right - left < 0.5) continue;
    const rate = growthRates[f.index] ?? 0;
    const colour = growthColours
      ? rate > 0
        ? `growth-${Math.max(1, Math.ceil((rate / growthMax) * 4))}`
        : 'growth-none'
      : `cat-${f.category}`;
    const box = el('div', `frame ${colour}`);
    if (f.index === selected) box.classList.add('selected');
    if (needle) box.classList.add(matches(f) ? 'match' : 'dim');
    if (f.depth < focus.depth) box.classList.add('ancestor');
    const top = mode === 'icicle' ? f.depth * ROW : (rows - 1 - f.depth) * ROW;
    box.style.transform = `translate(${left}px, ${top}px)`;
    box.style.width = `${Math.max(0.5, right - left - 1)}px`;
    box.dataset.index = String(f.index);
    if (right - left > 36) box.textContent = f.functionName;
    box.title = `${f.functionName}${f.url ? ` (${shortFile(f.url)}:${f.line})` : ''}\n${formatBytes(f.totalBytes)} (${percentOf(f.totalBytes)})`;
    boxes.push(box);
  }
  canvas.replaceChildren(...boxes);
  state.drawn = boxes.length;
}

function zoomTo(index: number): void {
  if (!graph) return;
  zoomed = index;
  selected = index;
  state.zoomed = graph.frames[index].functionName;
  showDetail();
  schedule();
}

canvas.addEventListener('click', (e) => {
  const target = (e.target as HTMLElement).closest<HTMLElement>('.frame');
  if (!target || !graph) return;
  const index = Number(target.dataset.index);
  const f = graph.frames[index];
  if ((e.ctrlKey || e.metaKey) && f.url)
    send({ type: 'openSource', url: f.url, line: f.line, column: f.column });
  zoomTo(index);
  area.focus();
});

function siblings(f: FlameFrame): FlameFrame[] {
  return graph!.frames.filter((g) => g.depth === f.depth).sort((a, b) => a.startBytes - b.startBytes);
}

area.addEventListener('keydown', (e) => {
  if (!graph) return;
  const f = graph.frames[selected];
  let next: FlameFrame | undefined;
  const up = mode === 'icicle' ? 'ArrowUp' : 'ArrowDown';
  const down = mode === 'icicle' ? 'ArrowDown' : 'ArrowUp';
  if (e.key === up) next = f.parent >= 0 ? graph.frames[f.parent] : undefined;
  else if (e.key === down) next = graph.frames.find((g) => g.parent === f.index);
  else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
    const row = siblings(f);
    const at = row.indexOf(f);
    next = row[e.key === 'ArrowLeft' ? at - 1 : at + 1];
  } else if (e.key === 'Enter') {
    if (f.url) send({ type: 'openSource', url: f.url, line: f.line, column: f.column });
  } else if (e.key === ' ' || e.key === 'z') zoomTo(selected);
  else if (e.key === 'Escape') zoomTo(0);
  else return;
  e.preventDefault();
  if (next) {
    selected = next.index;
    showDetail();
    schedule();
  }
});

let searchTimer: ReturnType<typeof setTimeout> | undefined;
search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    needle = search.value.trim().toLowerCase();
    if (graph && needle) {
      const hits = graph.frames.filter(matches);
      // Bytes under matching frames, each stack counted once (a match inside a match is not added).
      const outermost = hits.filter((h) => {
        for (let p = h.parent; p >= 0; p = graph!.frames[p].parent)
          if (matches(graph!.frames[p])) return false;
        return true;
      });
      const bytes = outermost.reduce((sum, h) => sum + h.totalBytes, 0);
      searchStatus.textContent = `${hits.length} frames, ${formatBytes(bytes)} (${percentOf(bytes)})`;
    } else searchStatus.textContent = '';
    schedule();
    renderTable();
  }, 100);
});

function renderTable(): void {
  if (mode !== 'table') return;
  const head = el('div', 'table-row table-head');
  head.append(
    el('span', 'c-fn', 'Function'),
    el('span', 'c-num', 'Allocated here'),
    el('span', 'c-num', 'Total'),
    el('span', 'c-src', 'Source'),
  );
  const rows = functions
    .filter(
      (f) => !needle || f.functionName.toLowerCase().includes(needle) || f.url.toLowerCase().includes(needle),
    )
    .map((f) => {
      const row = el('div', 'table-row');
      const name = el('span', 'c-fn');
      name.append(el('span', `swatch cat-${f.category}`), document.createTextNode(f.functionName));
      const src = el('span', 'c-src');
      src.append(sourceLink(f));
      row.append(
        name,
        el('span', 'c-num', formatBytes(f.selfBytes)),
        el('span', 'c-num', formatBytes(f.totalBytes)),
        src,
      );
      return row;
    });
  table.replaceChildren(head, ...rows);
}

function setMode(next: Mode): void {
  mode = next;
  state.mode = next;
  for (const [m, button] of modeButtons) {
    if (m === next) button.removeAttribute('secondary');
    else button.setAttribute('secondary', '');
  }
  area.hidden = next === 'table';
  table.hidden = next !== 'table';
  if (next === 'table') renderTable();
  else schedule();
}

new ResizeObserver(() => schedule()).observe(area);

function handle(message: FlameHostMessage): void {
  title.textContent = message.fileName;
  if (message.type === 'flameFailed') {
    failure.hidden = false;
    failure.replaceChildren(
      el('div', 'failure-title', `Heapscope cannot open ${message.fileName}`),
      el('div', '', message.message),
    );
    for (const part of [toolbar, legend, detail, area, table]) part.hidden = true;
    app.dataset.phase = 'failed';
    return;
  }
  graph = message.graph;
  functions = message.functions;
  applyGrowth(message.growth);
  state.frames = graph.frames.length;
  totals.textContent = `  ${formatBytes(graph.totalBytes)} live (sampled) in ${graph.frames.length.toLocaleString('en-US')} frames`;
  if (zoomed >= graph.frames.length) zoomed = 0;
  if (selected >= graph.frames.length) selected = 0;
  showDetail();
  setMode(mode);
  app.dataset.phase = 'loaded';
}

function applyGrowth(sites: GrowthSite[] | undefined): void {
  growthButton.hidden = sites === undefined;
  state.growthSites = sites?.length;
  growthRates = graph && sites ? frameGrowth(graph, sites) : new Float64Array(0);
  growthMax = growthRates.reduce((max, r) => Math.max(max, r), 0);
  if (sites === undefined && growthColours) growthButton.click();
}

window.addEventListener('message', (event: MessageEvent) => {
  if (isFlameHostMessage(event.data)) handle(event.data);
});
setMode('icicle');
send({ type: 'ready' });
