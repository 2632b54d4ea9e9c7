// The allocation flame graph: a read-only custom editor for `.heapprofile` files (the sampling heap
// profiles Heapscope exports, DevTools saves and js-profile-flame opens). The host reads the profile
// and lays it out at the user's code (src/core/heapprofile/flameModel.ts); the webview
// (dist/webview/flame.js) draws it and asks to open code (src/shared/flameProtocol.ts).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { GrowthSite } from '../../core/heapprofile/flameGraph';
import { flameModel } from '../../core/heapprofile/flameModel';
import {
  diskSourceMaps,
  embeddedSource,
  type FrameResolver,
  type MappedOrigins,
  type OriginalSourceReader,
} from '../../core/heapprofile/sourceMapped';
import { parseFlameIntent, type FlameHostMessage } from '../../shared/flameProtocol';
import { buildWebviewHtml, makeNonce } from '../csp';
import { openSource } from '../sourceOpener';

export const FLAME_VIEW_TYPE = 'heapscope.heapProfileFlame';

/** Rows of the by-function table sent to the webview (the biggest allocators). */
const TABLE_ROWS = 500;

/** What a live session adds to the flame graph of the file it writes (liveFlame.ts). */
export interface LiveFlameSource {
  /** The session's growing sites, for the growth colouring. */
  growth(): GrowthSite[];
  /** The session's own source mapping: it knows the scripts as the target runs them. */
  resolveFrame: FrameResolver;
  /** The original text its maps embed, for a source that is not on this machine. */
  originalSource: OriginalSourceReader;
}

/** The live sessions' sources of the files they write, by path. */
const liveSources = new Map<string, LiveFlameSource>();

/** Maps and colours the flame graph of `file` through a live session (undefined: no longer). */
export function setLiveSource(file: string, source: LiveFlameSource | undefined): void {
  if (source) liveSources.set(file, source);
  else liveSources.delete(file);
}

class ProfileDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

/** What the host keeps of the graph on screen to open a frame's code: never sent to the webview. */
interface ShownSources {
  origins: MappedOrigins;
  originalSource: OriginalSourceReader;
}

async function readFlame(uri: vscode.Uri): Promise<{ message: FlameHostMessage; sources?: ShownSources }> {
  const fileName = path.basename(uri.fsPath || uri.path);
  try {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const live = liveSources.get(uri.fsPath);
    // A file from disk is mapped through the scripts and maps its frames name on this machine; fresh
    // maps per read, so a rebuild's new maps are seen.
    const maps = live ?? diskSourceMaps(vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath);
    const { graph, functions, origins } = await flameModel(text, fileName, maps.resolveFrame, TABLE_ROWS);
    const growth = live?.growth();
    return {
      message: { type: 'flame', fileName, graph, functions, ...(growth ? { growth } : {}) },
      sources: { origins, originalSource: maps.originalSource },
    };
  } catch (error) {
    return { message: { type: 'flameFailed', fileName, message: describeError(error) } };
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
    let shown: ShownSources | undefined;
    const reload = async (): Promise<void> => {
      const { message, sources } = await readFlame(document.uri);
      shown = sources;
      void webview.postMessage(message);
    };
    const listener = webview.onDidReceiveMessage((raw: unknown) => {
      const intent = parseFlameIntent(raw);
      if (intent?.type === 'ready') void reload();
      else if (intent?.type === 'openSource') {
        const sources = shown;
        void openSource(intent.url, intent.line, intent.column ?? 1, {
          embedded: async () =>
            sources ? embeddedSource(sources.origins, sources.originalSource, intent.url) : undefined,
        });
      }
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
