// Entry of the live view (dist/webview/main.js). Receives the protocol's data messages, keeps the
// current session's readings in a SampleStore, and turns clicks into intents. It never talks CDP.
import './styles.css';
import { isHostMessage, PROTOCOL_VERSION, type HostMessage } from '../src/shared/protocol';
import type { Suspect } from '../src/shared/protocol';
import { MemoryChart } from './chart';
import { sendIntent } from './host';
import { SampleStore } from './store';
import { onThemeChange } from './theme';
import { LiveView, type ToolbarAction } from './view';

interface ViewState {
  sessionId: string | null;
  readOnly: boolean;
  state: string;
  message?: string;
  allocationSampling: boolean;
}

declare global {
  interface Window {
    /** For the end-to-end tests and the chart benchmark: read-only look at the view's figures. */
    heapscope?: { store: SampleStore; chart: MemoryChart; state: ViewState };
  }
}

const app = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
app.id = 'app';
const store = new SampleStore();
const view = new LiveView(app);
const chart = new MemoryChart(view.chartHost, store);
const state: ViewState = { sessionId: null, readOnly: false, state: 'none', allocationSampling: false };
window.heapscope = { store, chart, state };

function updateCounts(): void {
  app.dataset.samples = String(store.length);
  app.dataset.gcEvents = String(store.gcCount);
  app.dataset.restarts = String(store.breaks.length);
}

function forSession(message: { sessionId: string }): boolean {
  return state.sessionId === null || message.sessionId === state.sessionId;
}

function handle(message: HostMessage): void {
  switch (message.type) {
    case 'sessions':
      view.setSessions(message.sessions, message.currentId);
      if (message.currentId === null) {
        state.sessionId = null;
        store.clear();
        chart.requestRedraw();
        updateCounts();
      }
      break;
    case 'init':
    case 'recordingLoaded': {
      const readOnly = message.type === 'recordingLoaded' || message.readOnly;
      state.sessionId = message.sessionId;
      state.readOnly = readOnly;
      state.state = message.status.state;
      state.allocationSampling = message.allocationSampling;
      store.clear();
      store.append(message.samples);
      store.appendGc(message.gcEvents);
      view.setHasSession(true);
      view.setSession(message.name, readOnly);
      view.setStatus(message.status.state, readOnly, message.status.message);
      view.setSampling(message.allocationSampling);
      view.setVerdict(message.verdict);
      view.setSuspects(message.suspects);
      view.setIsolates(message.isolates);
      view.setProcesses(message.processes);
      store.setBreaks(message.processes?.changes ?? []);
      chart.setOverlay([]);
      chart.setFollow(true);
      chart.requestRedraw();
      updateCounts();
      break;
    }
    case 'status':
      if (!forSession(message)) return;
      state.state = message.status.state;
      state.message = message.status.message;
      view.setStatus(message.status.state, state.readOnly, message.status.message);
      if (message.allocationSampling !== undefined) {
        state.allocationSampling = message.allocationSampling;
        view.setSampling(message.allocationSampling);
      }
      break;
    case 'samples':
    case 'sample':
      if (!forSession(message)) return;
      if (store.append(message.type === 'samples' ? message.samples : [message.sample]) > 0) {
        chart.dataChanged();
        updateCounts();
      }
      break;
    case 'gcEvents':
    case 'gc':
      if (!forSession(message)) return;
      store.appendGc(message.type === 'gcEvents' ? message.gcEvents : [message.gc]);
      updateCounts();
      break;
    case 'verdict':
      if (forSession(message)) view.setVerdict(message.verdict);
      break;
    case 'suspects':
      if (forSession(message)) view.setSuspects(message.suspects);
      break;
    case 'isolates':
      if (forSession(message)) view.setIsolates(message.isolates);
      break;
    case 'processes':
      if (!forSession(message)) return;
      view.setProcesses(message);
      if (store.setBreaks(message.changes)) {
        chart.requestRedraw();
        updateCounts();
      }
      break;
    case 'prometheusHistory':
      if (forSession(message)) chart.setOverlay(message.series);
      break;
    case 'notice':
      view.showNotice(message.level, message.text);
      break;
    case 'clear':
      state.sessionId = null;
      store.clear();
      view.setHasSession(false);
      chart.requestRedraw();
      updateCounts();
      break;
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  if (isHostMessage(event.data)) handle(event.data);
});

view.onAction = (action: ToolbarAction) => {
  const session = state.sessionId ? { sessionId: state.sessionId } : {};
  switch (action) {
    case 'follow':
      chart.setFollow(!chart.following);
      return;
    case 'toggleSampling':
      sendIntent({ type: 'toggleSampling', ...session, on: !state.allocationSampling });
      return;
    case 'exportCsv':
      sendIntent({ type: 'exportRecording', ...session, format: 'csv' });
      return;
    case 'exportJson':
      sendIntent({ type: 'exportRecording', ...session, format: 'json' });
      return;
    case 'startSession':
      sendIntent({ type: 'startSession' });
      return;
    default:
      sendIntent({ type: action, ...session });
  }
};
view.onSelectSession = (sessionId) => sendIntent({ type: 'selectSession', sessionId });
view.onOpenSuspect = (suspect: Suspect) =>
  sendIntent({
    type: 'openSource',
    ...(state.sessionId ? { sessionId: state.sessionId } : {}),
    url: suspect.url,
    line: suspect.allocation?.line ?? suspect.line,
    ...((suspect.allocation?.column ?? suspect.column)
      ? { column: suspect.allocation?.column ?? suspect.column }
      : {}),
  });
view.onShowObjects = (suspect: Suspect) =>
  sendIntent({
    type: 'showObjects',
    ...(state.sessionId ? { sessionId: state.sessionId } : {}),
    rank: suspect.rank,
  });
chart.onFollowChange = (follow) => {
  view.setFollow(follow);
  sendIntent({ type: 'setFollow', ...(state.sessionId ? { sessionId: state.sessionId } : {}), follow });
};
view.setFollow(true);
updateCounts();
let themeRevision = 0;
app.dataset.themeRevision = '0';
onThemeChange(() => {
  chart.retheme();
  app.dataset.themeRevision = String(++themeRevision);
});

sendIntent({ type: 'ready', protocolVersion: PROTOCOL_VERSION });
