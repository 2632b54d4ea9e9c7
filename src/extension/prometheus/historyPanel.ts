// The Prometheus history view: a webview panel of its own (dist/webview/history.js under the same
// strict CSP as the live view). It shows one container's (or workload's) history at a time, days on
// its time axis; a live session on the same pod appears as a marker at its start and its current
// figures beside the chart, while its minute-scale chart stays in the live view (see docs/prometheus.md).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { describeError, isHeapscopeError } from '../../core/errors';
import { historyCsv, historyJson } from '../../core/prometheus';
import {
  parseHistoryIntent,
  type HistoryHostMessage,
  type HistoryLiveFigures,
} from '../../shared/historyProtocol';
import type { PromContainerRef, PromHistory } from '../../shared/prometheusTypes';
import { buildWebviewHtml, makeNonce } from '../csp';

export const HISTORY_VIEW_TYPE = 'heapscope.prometheusHistory';

export interface HistoryRequest {
  ref: PromContainerRef;
  start: number;
  end: number;
  /** Pods seen for it (newest last), for "Attach"; read from the history's replicas when absent. */
  pods?: string[];
}

export interface HistoryPanelDeps {
  /** Fetches the history (with its own progress and cancellation). */
  load(request: HistoryRequest, signal: AbortSignal): Promise<PromHistory>;
  /** The live session on the same pod, if any. */
  live(ref: PromContainerRef): HistoryLiveFigures | null;
  /** Fires when a live session changes (figures, start, end). */
  onLiveChange: vscode.Event<unknown>;
  pickAnother(): void;
  attach(ref: PromContainerRef, pod: string): void;
}

export function historyTitle(ref: PromContainerRef): string {
  return `${ref.namespace}/${ref.pod}/${ref.container}`;
}

export class HistoryPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private pending: HistoryHostMessage[] = [];
  private request: HistoryRequest | undefined;
  private history: PromHistory | undefined;
  private abort: AbortController | undefined;
  private lastLive = '';
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: HistoryPanelDeps,
  ) {
    // Live figures at most once a second: a session samples every second, the view reads them at a glance.
    let timer: ReturnType<typeof setTimeout> | undefined;
    this.disposables.push(
      deps.onLiveChange(() => {
        if (timer || !this.request) return;
        timer = setTimeout(() => {
          timer = undefined;
          this.postLive();
        }, 1000);
      }),
      { dispose: () => timer && clearTimeout(timer) },
    );
  }

  get current(): { request: HistoryRequest; history: PromHistory } | undefined {
    return this.request && this.history ? { request: this.request, history: this.history } : undefined;
  }

  /** Shows the panel and loads the history into it; resolves to the history (undefined when it failed). */
  async open(request: HistoryRequest): Promise<PromHistory | undefined> {
    this.ensurePanel();
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.request = request;
    this.history = undefined;
    const title = historyTitle(request.ref);
    this.panel!.title = `History: ${request.ref.pod}/${request.ref.container}`;
    this.post({ type: 'loading', title });
    this.postLive(true);
    try {
      const history = await this.deps.load(request, abort.signal);
      if (this.abort !== abort) return undefined;
      this.history = history;
      this.post({ type: 'history', title, history });
      return history;
    } catch (error) {
      if (this.abort === abort)
        this.post({
          type: 'error',
          title,
          text: isHeapscopeError(error, 'cancelled') ? 'Cancelled.' : describeError(error),
        });
      throw error;
    }
  }

  private ensurePanel(): void {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      return;
    }
    const base = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(
      HISTORY_VIEW_TYPE,
      'Prometheus history',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      {
        enableScripts: true,
        enableCommandUris: false,
        retainContextWhenHidden: true,
        localResourceRoots: [base, vscode.Uri.joinPath(this.context.extensionUri, 'media')],
      },
    );
    panel.iconPath = {
      light: vscode.Uri.joinPath(this.context.extensionUri, 'media', 'heapscope-light.svg'),
      dark: vscode.Uri.joinPath(this.context.extensionUri, 'media', 'heapscope-dark.svg'),
    };
    const css = vscode.Uri.joinPath(base, 'history.css');
    const codicons = vscode.Uri.joinPath(base, 'codicon.css');
    panel.webview.html = buildWebviewHtml({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(base, 'history.js')).toString(),
      ...(existsSync(css.fsPath) ? { styleUri: panel.webview.asWebviewUri(css).toString() } : {}),
      ...(existsSync(codicons.fsPath) ? { codiconUri: panel.webview.asWebviewUri(codicons).toString() } : {}),
      viewKind: 'panel',
      title: 'Prometheus history',
    });
    this.ready = false;
    const listener = panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw));
    panel.onDidDispose(() => {
      listener.dispose();
      this.abort?.abort();
      this.panel = undefined;
      this.ready = false;
      this.pending = [];
      this.request = undefined;
      this.history = undefined;
    });
    this.panel = panel;
  }

  private post(message: HistoryHostMessage): void {
    if (!this.panel) return;
    if (!this.ready) {
      // Only the newest of each kind matters once the page is up.
      this.pending = [...this.pending.filter((m) => m.type !== message.type), message];
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  private postLive(force = false): void {
    const live = this.request ? this.deps.live(this.request.ref) : null;
    const key = JSON.stringify(live);
    if (!force && key === this.lastLive) return;
    this.lastLive = key;
    this.post({ type: 'live', live });
  }

  private async receive(raw: unknown): Promise<void> {
    const intent = parseHistoryIntent(raw);
    if (!intent) return;
    try {
      switch (intent.type) {
        case 'ready':
          this.ready = true;
          for (const m of this.pending.splice(0)) void this.panel?.webview.postMessage(m);
          return;
        case 'export':
          return await this.export(intent.format);
        case 'reload':
          if (this.request) await this.open({ ...this.request, ...this.slidWindow(this.request) });
          return;
        case 'pickAnother':
          return this.deps.pickAnother();
        case 'attach':
          return this.attach();
      }
    } catch (error) {
      if (!isHeapscopeError(error, 'cancelled'))
        void vscode.window.showErrorMessage(`Heapscope: ${describeError(error)}`);
    }
  }

  /** A window that ended "now" when it was opened ends now again on reload. */
  private slidWindow(request: HistoryRequest): { start: number; end: number } {
    const now = Math.floor(Date.now() / 1000);
    const length = request.end - request.start;
    return Math.abs(now - request.end) < length ? { start: now - length, end: now } : request;
  }

  private attach(): void {
    if (!this.request) return;
    const pods = this.request.pods ?? this.history?.replicas?.map((r) => r.name.replace(/^pod:/, '')) ?? [];
    const pod = pods[pods.length - 1] ?? (this.request.ref.podPattern ? undefined : this.request.ref.pod);
    if (!pod) {
      void vscode.window.showInformationMessage(
        'Heapscope: no pod of this workload in the window to attach to.',
      );
      return;
    }
    this.deps.attach(this.request.ref, pod);
  }

  private async export(format: 'csv' | 'json'): Promise<void> {
    const current = this.current;
    if (!current) return;
    const r = current.request.ref;
    const name = `${r.namespace}-${r.pod}-${r.container}-history.${format}`.replace(/[^\w.-]/g, '_');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: 'Heapscope: export the Prometheus history',
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    });
    if (!target) return;
    await writeFile(
      target.fsPath,
      format === 'csv' ? historyCsv(current.history) : historyJson(current.history),
    );
    void vscode.window.showInformationMessage(`Heapscope: history exported to ${target.fsPath}.`);
  }

  dispose(): void {
    this.abort?.abort();
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
