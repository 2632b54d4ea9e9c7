// Opens the code of a frame (a flame graph's, a retainer's) wherever it can be found: the file itself;
// else the original source its map embeds (sourcesContent), shown read-only unless the workspace has
// the same text at the same path tail; else the workspace file with the longest same path tail (a
// container's /app/src/server.js is the workspace's src/server.js).
// Scripts with no file at all (Node's built-ins, eval'd code) get a message saying what they are.
// Nothing read here is run, and no path from a profile or a map is ever written to.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { scriptUrlToPath } from './locations';
import {
  describeNonFile,
  sameSource,
  embeddedSourcePath,
  filesEndingWith,
  inPackages,
  pathTails,
  tailGlob,
} from './sourceLookup';

/** The scheme of the read-only documents that show a source map's embedded sources. */
export const EMBEDDED_SOURCE_SCHEME = 'heapscope-source';

/** Files one tail search may return: enough to offer a choice, bounded in a huge workspace. */
const FIND_LIMIT = 50;

/** Workspace files read to find one holding the same code as an embedded source. */
const COMPARED_FILES = 10;

/** Embedded sources kept for their documents (a reopened tab asks again). */
const KEPT_SOURCES = 64;

/** Where else the code of a frame may be found than at its URL, and where to show it. */
export interface SourceHints {
  /** The original text as the frame's source map embeds it, when the map carries it. */
  embedded?: () => Promise<string | undefined>;
  /** The editor column to open in (default: beside the current one). */
  viewColumn?: vscode.ViewColumn;
}

/** The text of the embedded sources opened, by document URI; the oldest is forgotten first. */
class EmbeddedSourceProvider implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (
      this.texts.get(uri.toString()) ??
      `// Heapscope no longer keeps this source: open it again from its flame graph.\n`
    );
  }

  /** The document URI of `text`, the source the map names `url`: titled with its file name. */
  add(url: string, text: string): vscode.Uri {
    // The same path from two builds is two documents: the hash tells them apart.
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
    const uri = vscode.Uri.from({
      scheme: EMBEDDED_SOURCE_SCHEME,
      path: embeddedSourcePath(url),
      query: hash,
    });
    const key = uri.toString();
    this.texts.delete(key);
    this.texts.set(key, text);
    if (this.texts.size > KEPT_SOURCES) this.texts.delete(this.texts.keys().next().value!);
    return uri;
  }
}

const embeddedSources = new EmbeddedSourceProvider();

export function registerSourceOpener(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(EMBEDDED_SOURCE_SCHEME, embeddedSources),
  );
}

async function showAt(uri: vscode.Uri, line: number, column: number, hints: SourceHints): Promise<void> {
  const position = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  await vscode.window.showTextDocument(uri, {
    selection: new vscode.Range(position, position),
    preview: true,
    viewColumn: hints.viewColumn ?? vscode.ViewColumn.Beside,
  });
}

/** The workspace files ending with the longest tail of `url`'s path that any file ends with. */
async function filesWithTail(tails: readonly string[]): Promise<vscode.Uri[]> {
  for (const tail of tails) {
    const found = await vscode.workspace.findFiles(
      tailGlob(tail),
      inPackages(tail) ? null : '**/node_modules/**',
      FIND_LIMIT,
    );
    const byPath = new Map(found.map((uri) => [uri.path, uri]));
    const matching = filesEndingWith([...byPath.keys()], tail);
    if (matching.length) return matching.map((p) => byPath.get(p)!);
  }
  return [];
}

/**
 * The workspace's own copy of an embedded source, when one with the same path tail holds the same
 * text: it opens as the user's file (editable), at the same line. Only a few candidates are read.
 */
async function workspaceCopy(url: string, embedded: string): Promise<vscode.Uri | undefined> {
  const decoder = new TextDecoder();
  for (const uri of (await filesWithTail(pathTails(url))).slice(0, COMPARED_FILES)) {
    const text = await vscode.workspace.fs.readFile(uri).then(
      (bytes) => decoder.decode(bytes),
      () => undefined,
    );
    if (text !== undefined && sameSource(embedded, text)) return uri;
  }
  return undefined;
}

async function pickFile(files: vscode.Uri[], url: string): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri, true), uri })),
    {
      title: `Heapscope: ${url} is not on this machine; several workspace files match its path`,
      placeHolder: 'Which one is it?',
    },
  );
  return picked?.uri;
}

function notFound(url: string, tails: readonly string[]): string {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.name);
  if (!folders.length)
    return `Heapscope: ${url} is not a file on this machine. Open the folder that holds its code to find it there.`;
  const where =
    folders.length === 1
      ? `the workspace folder ${folders[0]}`
      : `the workspace folders ${folders.join(', ')}`;
  const name = tails[tails.length - 1];
  const packages = tails.some(inPackages) ? '' : '; node_modules left out';
  return `Heapscope: ${url} is not a file on this machine, and ${where} has no file named ${name} (looked for ${tails.join(', ')}${packages}).`;
}

/**
 * Opens the code at a frame's 1-based position beside the current editor, or says why it cannot:
 * the file at `url`; else the source its map embeds (`hints.embedded`), or the workspace file with
 * the same path tail and the same text; else the workspace file with the same path tail (the user
 * picks when several match).
 */
export async function openSource(
  url: string,
  line: number,
  column: number,
  hints: SourceHints = {},
): Promise<void> {
  const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const file = scriptUrlToPath(url, roots, existsSync);
  if (file && existsSync(file)) return showAt(vscode.Uri.file(file), line, column, hints);
  const embedded = await hints.embedded?.().catch(() => undefined);
  if (embedded !== undefined) {
    const copy = await workspaceCopy(url, embedded);
    return showAt(copy ?? embeddedSources.add(url, embedded), line, column, hints);
  }
  const noFile = describeNonFile(url);
  if (noFile) {
    void vscode.window.showInformationMessage(`Heapscope: ${noFile}`);
    return;
  }
  const tails = pathTails(url);
  if (!tails.length) {
    void vscode.window.showWarningMessage(`Heapscope: ${url} is not a file on this machine.`);
    return;
  }
  const files = await filesWithTail(tails);
  const chosen = files.length === 1 ? files[0] : files.length ? await pickFile(files, url) : undefined;
  if (chosen) return showAt(chosen, line, column, hints);
  if (!files.length) void vscode.window.showWarningMessage(notFound(url, tails));
}
