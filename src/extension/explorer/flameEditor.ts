// The allocation flame graph: a read-only custom editor for `.heapprofile` files (the sampling heap
// profiles Heapscope exports, DevTools saves and js-profile-flame opens). The host reads and lays
// out the profile (src/core/heapprofile/flameGraph.ts); the webview (dist/webview/flame.js) draws
// it and asks to open code (src/shared/flameProtocol.ts).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import {
  flameGraph,
  functionTotals,
  parseHeapProfile,
  type GrowthSite,
} from '../../core/heapprofile/flameGraph';
import { parseFlameIntent, type FlameHostMessage } from '../../shared/flameProtocol';
import { buildWebviewHtml, makeNonce } from '../csp';
import { openSource } from './snapshotEditor';

export const FLAME_VIEW_TYPE = 'heapscope.heapProfileFlame';

/** Rows of the by-function table sent to the webview (the biggest allocators). */
const TABLE_ROWS = 500;

/** Growing sites of the files a live session writes (liveFlame.ts), by path. */
const growthSources = new Map<string, () => GrowthSite[]>();

/** Colours the flame graph of `file` by the growth `sites` returns (undefined: no longer). */
export function setGrowthSource(file: string, sites: (() => GrowthSite[]) | undefined): void {
  if (sites) growthSources.set(file, sites);
  else growthSources.delete(file);
}

class ProfileDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

async function readFlame(uri: vscode.Uri): Promise<FlameHostMessage> {
  const fileName = path.basename(uri.fsPath || uri.path);
  try {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const graph = flameGraph(parseHeapProfile(text, fileName));
    const growth = growthSources.get(uri.fsPath)?.();
    return {
      type: 'flame',
      fileName,
      graph,
      functions: functionTotals(graph).slice(0, TABLE_ROWS),
      ...(growth ? { growth } : {}),
    };
  } catch (error) {
    return { type: 'flameFailed', fileName, message: describeError(error) };
  }
}

class FlameEditorProvider implements vscode.CustomReadonlyEditorProvider<ProfileDocument> {
  constructor(private readonly context: vscode.ExtensionContext) {}

  openCustomDocument(uri: vscode.Uri): ProfileDocument {
    return new ProfileDocument(uri);
  }

  resolveCustomEditor(document: ProfileDocument, panel: vscode.WebviewPanel): void {
    const webview = panel.webview;
    const base = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [base] };
    const css = vscode.Uri.joinPath(base, 'flame.css');
    const codicons = vscode.Uri.joinPath(base, 'codicon.css');
    webview.html = buildWebviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(base, 'flame.js')).toString(),
      ...(existsSync(css.fsPath) ? { styleUri: webview.asWebviewUri(css).toString() } : {}),
      ...(existsSync(codicons.fsPath) ? { codiconUri: webview.asWebviewUri(codicons).toString() } : {}),
      viewKind: 'panel',
      title: `Heapscope: ${path.basename(document.uri.fsPath)}`,
    });
    const reload = async (): Promise<void> => void webview.postMessage(await readFlame(document.uri));
    const listener = webview.onDidReceiveMessage((raw: unknown) => {
      const intent = parseFlameIntent(raw);
      if (intent?.type === 'ready') void reload();
      else if (intent?.type === 'openSource') void openSource(intent.url, intent.line, intent.column ?? 1);
    });
    // A live session's export rewrites the file every few seconds: the graph follows it.
    const watcher =
      document.uri.scheme === 'file'
        ? vscode.workspace.createFileSystemWatcher(
            new vscode.RelativePattern(
              vscode.Uri.file(path.dirname(document.uri.fsPath)),
              path.basename(document.uri.fsPath),
            ),
          )
        : undefined;
    watcher?.onDidChange(() => void reload());
    panel.onDidDispose(() => {
      listener.dispose();
      watcher?.dispose();
    });
  }
}

export function registerFlameEditor(context: vscode.ExtensionContext): void {
  const openHeapProfile = async (arg?: unknown): Promise<void> => {
    let uri =
      arg instanceof vscode.Uri ? arg : typeof arg === 'string' && arg ? vscode.Uri.file(arg) : undefined;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        title: 'Heapscope: open a sampling heap profile as a flame graph',
        canSelectFiles: true,
        canSelectMany: false,
        filters: { 'Heap profiles': ['heapprofile'] },
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      });
      uri = picked?.[0];
    }
    if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, FLAME_VIEW_TYPE);
  };
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(FLAME_VIEW_TYPE, new FlameEditorProvider(context), {
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.commands.registerCommand('heapscope.openHeapProfile', openHeapProfile),
  );
}
