// Entry of the Prometheus history view (dist/webview/history.js): draws the history the host sends,
// keeps zoom and the replica comparison local, and turns buttons into intents.
import '../styles.css';
import './history.css';
import {
  HISTORY_PROTOCOL_VERSION,
  isHistoryHostMessage,
  type HistoryHostMessage,
  type HistoryIntent,
} from '../../src/shared/historyProtocol';
import type { PromHistory } from '../../src/shared/prometheusTypes';
import { onThemeChange } from '../theme';
import { HistoryChart } from './chart';
import { buildChartModel } from './model';
import { HistoryView } from './view';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

declare global {
  interface Window {
    /** For the end-to-end tests: read-only look at what is drawn. */
    heapscopeHistory?: { chart: HistoryChart; history: () => PromHistory | undefined };
    __heapscopeHistoryIntents?: HistoryIntent[];
  }
}

const api: VsCodeApi =
  typeof acquireVsCodeApi === 'function'
    ? acquireVsCodeApi()
    : { postMessage: (m) => (window.__heapscopeHistoryIntents ??= []).push(m as HistoryIntent) };
const send = (intent: HistoryIntent): void => api.postMessage(intent);

const app = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
app.id = 'app';
app.classList.add('history');
const view = new HistoryView(app);
const chart = new HistoryChart(view.chartHost);
let history: PromHistory | undefined;
let compare = false;
window.heapscopeHistory = { chart, history: () => history };

function draw(): void {
  if (!history) return;
  const model = buildChartModel(history, compare);
  chart.setModel(model);
  app.dataset.points = String(model.points);
  app.dataset.lines = String(model.lines.length);
  app.dataset.markers = String(model.events.length);
  app.dataset.ooms = String(model.events.filter((e) => e.kind === 'oom-kill').length);
}

function handle(message: HistoryHostMessage): void {
  switch (message.type) {
    case 'loading':
      view.setLoading(message.title);
      break;
    case 'error':
      view.setError(message.title, message.text);
      break;
    case 'history':
      history = message.history;
      compare = false;
      view.setCompare(false);
      view.setHistory(message.title, message.history);
      draw();
      break;
    case 'live':
      view.setLive(message.live);
      chart.setLiveStart(message.live ? Math.floor(message.live.startedAtMs / 1000) : undefined);
      break;
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  if (isHistoryHostMessage(event.data)) handle(event.data);
});

view.onAction = (action) => {
  switch (action) {
    case 'compare':
      compare = !compare;
      view.setCompare(compare);
      draw();
      return;
    case 'resetZoom':
      chart.resetZoom();
      return;
    case 'exportCsv':
      send({ type: 'export', format: 'csv' });
      return;
    case 'exportJson':
      send({ type: 'export', format: 'json' });
      return;
    default:
      send({ type: action });
  }
};
onThemeChange(() => chart.retheme());
send({ type: 'ready', protocolVersion: HISTORY_PROTOCOL_VERSION });
