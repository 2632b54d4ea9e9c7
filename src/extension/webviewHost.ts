// Hosts the live view: an editor panel and a WebviewView in the Run and Debug side bar, both loading
// the webview bundle (dist/webview/main.js) under a strict CSP. Data goes out and intents come in only
// as the messages of src/shared/protocol.ts (translated in webviewBridge.ts).
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import type { SessionController } from './controller';
import { buildWebviewHtml, makeNonce } from './csp';
import type { HostMessage } from '../shared/protocol';
import type { SessionEntry } from './sessionRegistry';
import { eventMessages, fullStateMessages, parseIntent, sessionList, type HostIntent } from './webviewBridge';

export const PANEL_VIEW_TYPE = 'heapscope.livePanel';
export const SIDEBAR_VIEW_ID = 'heapscope.debugView';

export type IntentHandler = (intent: HostIntent, entry: SessionEntry | undefined) => Promise<void>;

interface Surface {
  webview: vscode.Webview;
  ready: boolean;
}

export class WebviewHost implements vscode.WebviewViewProvider, vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly surfaces = new Set<Surface>();
  private readonly disposables: vscode.Disposable[] = [];
  private sidebar: vscode.WebviewView | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly controller: SessionController,
    private readonly onIntent: IntentHandler,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewViewProvider(SIDEBAR_VIEW_ID, this, {
        webviewOptions: { retainContextWhenHidden: true },
      }),
      controller.onNotice(({ level, text }) => this.post({ type: 'notice', level, text })),
      controller.onDidChange(({ entry, what }) => {
        for (const message of eventMessages(entry, what, controller.registry)) this.post(message);
      }),
    );
    // A whole session (up to a day of samples) goes out only when the shown session changes; list
    // changes send the list alone.
    const onCurrent = (): void => {
      for (const surface of this.surfaces) if (surface.ready) this.sendFullState(surface);
    };
    const onList = (): void => {
      this.updateDescription();
      this.post(sessionList(controller.registry));
    };
    controller.registry.on('current', onCurrent);
    controller.registry.on('added', onList);
    controller.registry.on('removed', onList);
    this.disposables.push({
      dispose: () => {
        controller.registry.off('current', onCurrent);
        controller.registry.off('added', onList);
        controller.registry.off('removed', onList);
      },
    });
  }

  private get roots(): vscode.Uri[] {
    return [
      vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(this.context.extensionUri, 'media'),
    ];
  }

  private html(webview: vscode.Webview, viewKind: 'panel' | 'sidebar'): string {
    const base = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    const css = vscode.Uri.joinPath(base, 'main.css');
    const codicons = vscode.Uri.joinPath(base, 'codicon.css');
    return buildWebviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(base, 'main.js')).toString(),
      ...(existsSync(css.fsPath) ? { styleUri: webview.asWebviewUri(css).toString() } : {}),
      ...(existsSync(codicons.fsPath) ? { codiconUri: webview.asWebviewUri(codicons).toString() } : {}),
      viewKind,
      title: 'Heapscope',
    });
  }

  private attach(webview: vscode.Webview, viewKind: 'panel' | 'sidebar'): vscode.Disposable {
    webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: this.roots };
    webview.html = this.html(webview, viewKind);
    const surface: Surface = { webview, ready: false };
    this.surfaces.add(surface);
    const listener = webview.onDidReceiveMessage((raw: unknown) => void this.receive(surface, raw));
    return {
      dispose: () => {
        listener.dispose();
        this.surfaces.delete(surface);
      },
    };
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.sidebar = view;
    const attached = this.attach(view.webview, 'sidebar');
    view.onDidDispose(() => {
      attached.dispose();
      if (this.sidebar === view) this.sidebar = undefined;
    });
    this.updateDescription();
  }

  /** Opens (or reveals) the editor panel. */
  openPanel(): void {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'Heapscope',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: this.roots },
    );
    panel.iconPath = {
      light: vscode.Uri.joinPath(this.context.extensionUri, 'media', 'heapscope-light.svg'),
      dark: vscode.Uri.joinPath(this.context.extensionUri, 'media', 'heapscope-dark.svg'),
    };
    const attached = this.attach(panel.webview, 'panel');
    panel.onDidDispose(() => {
      attached.dispose();
      this.panel = undefined;
    });
    this.panel = panel;
  }

  /** Shows the side bar view when the Run and Debug container is there, else the panel. */
  async show(): Promise<void> {
    try {
      await vscode.commands.executeCommand(`${SIDEBAR_VIEW_ID}.focus`);
    } catch {
      this.openPanel();
    }
  }

  private updateDescription(): void {
    if (this.sidebar) this.sidebar.description = this.controller.registry.current?.name;
  }

  private sendFullState(surface: Surface): void {
    this.updateDescription();
    for (const message of fullStateMessages(this.controller.registry))
      void surface.webview.postMessage(message);
  }

  /** Sends a message to every loaded view (e.g. a Prometheus overlay for the shown session). */
  post(message: HostMessage): void {
    for (const surface of this.surfaces) if (surface.ready) void surface.webview.postMessage(message);
  }

  private async receive(surface: Surface, raw: unknown): Promise<void> {
    const intent = parseIntent(raw);
    if (!intent) {
      this.controller.output.warn(`webview sent an unknown message: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    if (intent.kind === 'ready') {
      surface.ready = true;
      this.sendFullState(surface);
      return;
    }
    if (intent.kind === 'selectSession') {
      this.controller.registry.setCurrent(intent.sessionId);
      return;
    }
    const entry = intent.sessionId
      ? this.controller.registry.get(intent.sessionId)
      : this.controller.registry.current;
    try {
      await this.onIntent(intent, entry);
    } catch (error) {
      void vscode.window.showErrorMessage(`Heapscope: ${describeError(error)}`);
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
