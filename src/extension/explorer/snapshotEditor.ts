// The heap snapshot explorer: a read-only custom editor for *.heapsnapshot. Opening a file starts a
// worker that parses and analyses it and then keeps the graph (src/core/heapsnapshot/queries); the
// webview (dist/webview/explorer.js) asks it questions through the host (src/shared/explorerProtocol.ts)
// and shows the answers. Closing the editor ends the worker and frees the memory.
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError, isHeapscopeError } from '../../core/errors';
import { openSnapshotExplorer, type ExplorerHandle } from '../../core/heapsnapshot/queries/client';
import type { ProvisionalTable } from '../../core/heapsnapshot/queries/types';
import type { TaskProgress } from '../../core/heapsnapshot/tasks';
import {
  parseExplorerIntent,
  type ExplorerHostMessage,
  type ExplorerIntent,
} from '../../shared/explorerProtocol';
import { buildWebviewHtml, makeNonce } from '../csp';
import { openSource } from '../sourceOpener';

export const SNAPSHOT_EXPLORER_VIEW_TYPE = 'heapscope.snapshotExplorer';

/**
 * Where the explorer opens: a class (by name), an object (by @id), a class's largest object's path
 * (`via`: the largest held through this variable or property).
 */
export interface ExplorerFocus {
  className?: string;
  id?: number;
  path?: boolean;
  via?: string;
}

/** Worker heap limit: room for the typed arrays' bookkeeping of a big snapshot. */
const WORKER_HEAP_MB = 4096;

type LoadState =
  | { kind: 'loading'; phase: string; fraction?: number }
  | { kind: 'loaded'; handle: ExplorerHandle }
  | { kind: 'failed'; code: string; message: string };

/** One opened snapshot: its worker, its load state, the webviews showing it. */
class SnapshotDocument implements vscode.CustomDocument {
  state: LoadState = { kind: 'loading', phase: 'reading' };
  readonly panels = new Set<vscode.WebviewPanel>();
  /** Panels whose webview said it is ready: a message posted to them is read. */
  readonly readyPanels = new Set<vscode.WebviewPanel>();
  /** Files the user picked to compare with: the only other files the worker is asked to read. */
  readonly pickedFiles = new Set<string>();
  private readonly abort = new AbortController();
  readonly fileName: string;

  constructor(
    readonly uri: vscode.Uri,
    private readonly onDisposed: () => void,
  ) {
    this.fileName = path.basename(uri.fsPath || uri.path);
    void this.load();
  }

  private async load(): Promise<void> {
    if (this.uri.scheme !== 'file') {
      this.fail('usage', `Heap snapshots must be files on disk (got ${this.uri.toString()}).`);
      return;
    }
    try {
      const handle = await openSnapshotExplorer(this.uri.fsPath, {
        signal: this.abort.signal,
        maxOldGenerationSizeMb: WORKER_HEAP_MB,
        onProgress: (p) => this.progress(p),
        onProvisional: (table) => {
          if (this.state.kind !== 'loading') return;
          this.provisional = table;
          this.post({ type: 'provisional', table, fileName: this.fileName });
        },
      });
      if (this.abort.signal.aborted) {
        handle.dispose();
        return;
      }
      this.state = { kind: 'loaded', handle };
      this.provisional = undefined;
      this.post({ type: 'loaded', info: handle.info, fileName: this.fileName, classes: handle.classes });
    } catch (error) {
      if (this.abort.signal.aborted) return;
      this.fail(isHeapscopeError(error) ? error.code : 'internal', describeError(error));
    }
  }

  /** The class table before the analysis, kept for a webview that (re)loads meanwhile. */
  private provisional: ProvisionalTable | undefined;
  private lastProgress = '';
  private progress(p: TaskProgress): void {
    if (this.state.kind !== 'loading') return;
    const fraction =
      p.phase === 'reading' && p.totalBytes ? Math.min(1, (p.readBytes ?? 0) / p.totalBytes) : undefined;
    // A message per percent at most: the webview needs no more.
    const key = `${p.phase}:${fraction === undefined ? '' : Math.floor(fraction * 100)}`;
    if (key === this.lastProgress) return;
    this.lastProgress = key;
    this.state = { kind: 'loading', phase: p.phase, ...(fraction === undefined ? {} : { fraction }) };
    this.post({
      type: 'loading',
      phase: p.phase,
      fileName: this.fileName,
      ...(fraction === undefined ? {} : { fraction }),
    });
  }

  private fail(code: string, message: string): void {
    this.state = { kind: 'failed', code, message };
    this.post({ type: 'loadFailed', code, message, fileName: this.fileName });
  }

  /** What a webview that just (re)loaded needs to catch up. */
  stateMessage(): ExplorerHostMessage {
    const s = this.state;
    if (s.kind === 'loaded')
      return { type: 'loaded', info: s.handle.info, fileName: this.fileName, classes: s.handle.classes };
    if (s.kind === 'failed')
      return { type: 'loadFailed', code: s.code, message: s.message, fileName: this.fileName };
    if (this.provisional) return { type: 'provisional', table: this.provisional, fileName: this.fileName };
    return {
      type: 'loading',
      phase: s.phase,
      fileName: this.fileName,
      ...(s.fraction === undefined ? {} : { fraction: s.fraction }),
    };
  }

  post(message: ExplorerHostMessage): void {
    for (const panel of this.panels) void panel.webview.postMessage(message);
  }

  dispose(): void {
    this.onDisposed();
    this.abort.abort();
    if (this.state.kind === 'loaded') this.state.handle.dispose();
    this.state = { kind: 'failed', code: 'cancelled', message: 'The snapshot was closed.' };
  }
}

export class SnapshotExplorerProvider implements vscode.CustomReadonlyEditorProvider<SnapshotDocument> {
  private readonly documents = new Map<string, SnapshotDocument>();
  /** A focus asked for before the webview was ready (opening on a class or an object). */
  private readonly pendingFocus = new Map<string, ExplorerHostMessage>();

  constructor(private readonly context: vscode.ExtensionContext) {}

  openCustomDocument(uri: vscode.Uri): SnapshotDocument {
    const key = uri.toString();
    const document = new SnapshotDocument(uri, () => {
      if (this.documents.get(key) === document) this.documents.delete(key);
    });
    this.documents.set(key, document);
    return document;
  }

  resolveCustomEditor(document: SnapshotDocument, panel: vscode.WebviewPanel): void {
    const webview = panel.webview;
    const base = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [base] };
    const css = vscode.Uri.joinPath(base, 'explorer.css');
    const codicons = vscode.Uri.joinPath(base, 'codicon.css');
    webview.html = buildWebviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(base, 'explorer.js')).toString(),
      ...(existsSync(css.fsPath) ? { styleUri: webview.asWebviewUri(css).toString() } : {}),
      ...(existsSync(codicons.fsPath) ? { codiconUri: webview.asWebviewUri(codicons).toString() } : {}),
      viewKind: 'panel',
      title: `Heapscope: ${document.fileName}`,
    });
    document.panels.add(panel);
    const listener = webview.onDidReceiveMessage((raw: unknown) => {
      const intent = parseExplorerIntent(raw);
      if (intent) void this.receive(document, panel, intent);
    });
    panel.onDidDispose(() => {
      listener.dispose();
      document.panels.delete(panel);
      document.readyPanels.delete(panel);
    });
  }

  /** Shows a class or an object once the explorer of `uri` is ready (now, if it is). */
  focus(uri: vscode.Uri, focus: ExplorerFocus): void {
    const message: ExplorerHostMessage = {
      type: 'focus',
      ...(typeof focus.className === 'string' ? { className: focus.className } : {}),
      ...(typeof focus.id === 'number' ? { id: focus.id } : {}),
      ...(focus.path === true ? { path: true } : {}),
      ...(typeof focus.via === 'string' && focus.via ? { via: focus.via } : {}),
    };
    const document = this.documents.get(uri.toString());
    // A ready webview keeps a focus until its snapshot is loaded; one not ready yet gets it with
    // its state (see 'ready' below).
    if (document && document.readyPanels.size > 0) document.post(message);
    else this.pendingFocus.set(uri.toString(), message);
  }

  private async receive(
    document: SnapshotDocument,
    panel: vscode.WebviewPanel,
    intent: ExplorerIntent,
  ): Promise<void> {
    const post = (message: ExplorerHostMessage): void => void panel.webview.postMessage(message);
    switch (intent.type) {
      case 'ready': {
        document.readyPanels.add(panel);
        post(document.stateMessage());
        const focus = this.pendingFocus.get(document.uri.toString());
        if (focus) {
          this.pendingFocus.delete(document.uri.toString());
          post(focus);
        }
        return;
      }
      case 'query': {
        const state = document.state;
        if (state.kind !== 'loaded') {
          post({ type: 'failed', id: intent.id, message: 'The snapshot is not loaded.' });
          return;
        }
        const query = intent.query;
        if (
          query.kind === 'compare' &&
          (!document.pickedFiles.has(query.baseFile) ||
            (query.middleFile !== undefined && !document.pickedFiles.has(query.middleFile)))
        ) {
          post({ type: 'failed', id: intent.id, message: 'Pick the snapshots to compare with first.' });
          return;
        }
        const t0 = performance.now();
        const receivedAt = performance.timeOrigin + t0;
        try {
          const { answer, ms: workerMs } = await state.handle.timedQuery(query);
          const t1 = performance.now();
          post({
            type: 'answer',
            id: intent.id,
            answer,
            ms: t1 - t0,
            workerMs,
            receivedAt,
            answeredAt: performance.timeOrigin + t1,
          });
        } catch (error) {
          post({ type: 'failed', id: intent.id, message: describeError(error) });
        }
        return;
      }
      case 'openSource':
        return openSource(intent.url, intent.line, intent.column ?? 1);
      case 'pickBaseline': {
        const files = await pickBaselines(document);
        for (const file of files) document.pickedFiles.add(file);
        post({ type: 'picked', id: intent.id, files });
        return;
      }
    }
  }

  dispose(): void {
    for (const document of [...this.documents.values()]) document.dispose();
  }
}

/** One or two earlier snapshots of the same process, oldest first. */
async function pickBaselines(document: SnapshotDocument): Promise<string[]> {
  const picked = await vscode.window.showOpenDialog({
    title: `Heapscope: compare ${document.fileName} with one earlier snapshot (or two: the three-snapshot method)`,
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: true,
    filters: { 'Heap snapshots': ['heapsnapshot'] },
    defaultUri: vscode.Uri.file(path.dirname(document.uri.fsPath)),
  });
  if (!picked?.length) return [];
  if (picked.length > 2) {
    void vscode.window.showErrorMessage(
      `Heapscope: pick one or two earlier snapshots to compare with (${picked.length} picked).`,
    );
    return [];
  }
  const stats = await Promise.all(
    picked.map(async (uri) => ({ file: uri.fsPath, mtimeMs: (await fs.stat(uri.fsPath)).mtimeMs })),
  );
  stats.sort((a, b) => a.mtimeMs - b.mtimeMs || a.file.localeCompare(b.file));
  return stats.map((s) => s.file);
}

/** Registers the explorer; returns it so commands can open it on a class or an object. */
export function registerSnapshotExplorer(context: vscode.ExtensionContext): SnapshotExplorerProvider {
  const provider = new SnapshotExplorerProvider(context);
  context.subscriptions.push(
    provider,
    vscode.window.registerCustomEditorProvider(SNAPSHOT_EXPLORER_VIEW_TYPE, provider, {
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: false,
    }),
  );
  return provider;
}

/** Opens a snapshot in the explorer, optionally on a class (by name) or an object (by id). */
export async function openInExplorer(
  provider: SnapshotExplorerProvider,
  uri: vscode.Uri,
  focus?: ExplorerFocus,
): Promise<void> {
  if (focus) provider.focus(uri, focus);
  await vscode.commands.executeCommand('vscode.openWith', uri, SNAPSHOT_EXPLORER_VIEW_TYPE);
}
