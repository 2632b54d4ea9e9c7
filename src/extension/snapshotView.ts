// The heap snapshot commands: "Open heap snapshot…" opens the explorer (explorer/snapshotEditor.ts, a
// custom editor whose worker keeps the graph); "Compare heap snapshots…" (diff of two or three) runs
// in the snapshot worker (src/core/heapsnapshot) under a cancellable progress notification and shows
// Markdown (snapshotReport.ts) served read-only on the heapscope-snapshot scheme as a preview.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError, HeapscopeError, isHeapscopeError } from '../core/errors';
import { diffSnapshotFiles, type TaskProgress } from '../core/heapsnapshot';
import { registerFlameEditor } from './explorer/flameEditor';
import { openInExplorer, registerSnapshotExplorer, type ExplorerFocus } from './explorer/snapshotEditor';
import { diffMarkdown } from './snapshotReport';
import { registerSourceOpener } from './sourceOpener';

export const SNAPSHOT_SCHEME = 'heapscope-snapshot';

/** Reports kept for the documents and previews showing them (oldest dropped first). */
const MAX_REPORTS = 20;

const SNAPSHOT_FILTERS = { 'Heap snapshots': ['heapsnapshot'] };

/** Growing groups whose holder the diff view names (each costs a retainer walk, not a re-parse). */
const DIFF_HOLDERS = 5;

/** Serves the reports as read-only virtual documents. */
class SnapshotReports implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly reports = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (
      this.reports.get(uri.toString()) ??
      '# Heapscope\n\nThis report is no longer available: run **Heapscope: Open heap snapshot…** or **Heapscope: Compare heap snapshots…** again.\n'
    );
  }

  set(uri: vscode.Uri, markdown: string): void {
    const key = uri.toString();
    this.reports.delete(key);
    this.reports.set(key, markdown);
    while (this.reports.size > MAX_REPORTS) this.reports.delete(this.reports.keys().next().value!);
    this.changed.fire(uri);
  }

  dispose(): void {
    this.changed.dispose();
    this.reports.clear();
  }
}

/** One URI per analysed file set, so running a command again refreshes the open preview. */
function reportUri(kind: 'summary' | 'diff', files: readonly string[]): vscode.Uri {
  const title =
    kind === 'summary'
      ? `Summary ${path.basename(files[0])}`
      : `Diff ${files.map((f) => path.basename(f, '.heapsnapshot')).join(' → ')}`;
  return vscode.Uri.from({
    scheme: SNAPSHOT_SCHEME,
    path: `/${title.replace(/[/\\]/g, '_')}.md`,
    query: new URLSearchParams({ kind, files: JSON.stringify(files) }).toString(),
  });
}

/** Progress messages (and the bar, while files are read) from the worker's progress events. */
function progressReporter(
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  files: readonly string[],
): (p: TaskProgress) => void {
  let reported = 0;
  let lastMessage = '';
  return (p) => {
    const name = p.file ? path.basename(p.file) : '';
    let message: string;
    let increment = 0;
    if (p.phase === 'reading' && p.totalBytes) {
      const fraction = Math.min(1, (p.readBytes ?? 0) / p.totalBytes);
      message = `reading ${name} ${Math.floor(fraction * 100)}%`;
      const index = Math.max(0, files.indexOf(p.file ?? ''));
      // Reading is most of the time; the bar stops at 90% for the analysis phases after it.
      const target = Math.floor(((index + fraction) / files.length) * 90);
      if (target > reported) {
        increment = target - reported;
        reported = target;
      }
    } else message = `${p.phase}${name ? ` (${name})` : ''}…`;
    if (message === lastMessage && !increment) return;
    lastMessage = message;
    progress.report(increment ? { message, increment } : { message });
  };
}

async function showReport(reports: SnapshotReports, uri: vscode.Uri, markdown: string): Promise<void> {
  reports.set(uri, markdown);
  let document = await vscode.workspace.openTextDocument(uri);
  if (document.languageId !== 'markdown')
    document = await vscode.languages.setTextDocumentLanguage(document, 'markdown');
  // Asked for directly, not looked up first: the Markdown extension registers the command only
  // once it has started (which the request itself triggers), so a lookup can miss it.
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
    return;
  } catch {
    // No Markdown preview in this editor: the text.
  }
  await vscode.window.showTextDocument(document, { preview: false });
}

function fileOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  if (arg instanceof vscode.Uri) {
    if (arg.scheme !== 'file')
      throw new HeapscopeError('usage', `Heap snapshots must be files on disk (got ${arg.toString()}).`);
    return arg.fsPath;
  }
  return undefined;
}

export function registerSnapshotView(context: vscode.ExtensionContext): void {
  const reports = new SnapshotReports();
  const explorer = registerSnapshotExplorer(context);
  registerFlameEditor(context);
  // The code of a flame graph's frames and of the explorer's retainers, wherever it is found.
  registerSourceOpener(context);
  let lastFolder: vscode.Uri | undefined;

  const pick = async (title: string, many: boolean): Promise<string[] | undefined> => {
    const picked = await vscode.window.showOpenDialog({
      title,
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: many,
      filters: SNAPSHOT_FILTERS,
      defaultUri: lastFolder ?? vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!picked?.length) return undefined;
    lastFolder = vscode.Uri.file(path.dirname(picked[0].fsPath));
    return picked.map((u) => u.fsPath);
  };

  /** Runs an analysis under a cancellable notification; errors are shown, cancellation is not. */
  const analyse = async (
    title: string,
    files: readonly string[],
    run: (options: { onProgress: (p: TaskProgress) => void; signal: AbortSignal }) => Promise<string>,
    uri: vscode.Uri,
  ): Promise<void> => {
    const abort = new AbortController();
    try {
      const markdown = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          return run({ onProgress: progressReporter(progress, files), signal: abort.signal });
        },
      );
      await showReport(reports, uri, markdown);
    } catch (error) {
      if (abort.signal.aborted || isHeapscopeError(error, 'cancelled')) {
        vscode.window.setStatusBarMessage('Heapscope: heap snapshot analysis cancelled.', 3000);
        return;
      }
      void vscode.window.showErrorMessage(`Heapscope: ${describeError(error)}`);
    }
  };

  const openSnapshot = async (arg?: unknown): Promise<void> => {
    let file: string | undefined;
    try {
      file = fileOf(arg) ?? (await pick('Heapscope: open a heap snapshot', false))?.[0];
    } catch (error) {
      void vscode.window.showErrorMessage(`Heapscope: ${describeError(error)}`);
      return;
    }
    if (!file) return;
    await openInExplorer(explorer, vscode.Uri.file(file));
  };

  /** For other parts of the extension: a snapshot on a class (by name) or an object (by @id). */
  const openExplorerOn = async (arg?: unknown, focus?: ExplorerFocus): Promise<void> => {
    try {
      const file = fileOf(arg);
      if (file) await openInExplorer(explorer, vscode.Uri.file(file), focus);
    } catch (error) {
      void vscode.window.showErrorMessage(`Heapscope: ${describeError(error)}`);
    }
  };

  const diffSnapshots = async (): Promise<void> => {
    const picked = await pick('Heapscope: compare 2 or 3 heap snapshots of one process', true);
    if (!picked) return;
    if (picked.length < 2 || picked.length > 3) {
      void vscode.window.showErrorMessage(
        `Heapscope: pick two or three heap snapshots of one process to compare (${picked.length} picked).`,
      );
      return;
    }
    let stats: Array<{ file: string; mtimeMs: number; size: number }>;
    try {
      stats = await Promise.all(
        picked.map(async (file) => {
          const stat = await fs.stat(file);
          return { file, mtimeMs: stat.mtimeMs, size: stat.size };
        }),
      );
    } catch (error) {
      void vscode.window.showErrorMessage(`Heapscope: ${describeError(error)}`);
      return;
    }
    // Oldest first: the diff reads "new" and "freed" from the earlier snapshot to the later one.
    stats.sort((a, b) => a.mtimeMs - b.mtimeMs || a.file.localeCompare(b.file));
    const files = stats.map((s) => s.file);
    await analyse(
      `Heapscope: comparing ${files.map((f) => path.basename(f)).join(', ')}`,
      files,
      async (options) =>
        diffMarkdown(await diffSnapshotFiles(files, 0, { ...options, holders: DIFF_HOLDERS }), {
          fileBytes: stats.map((s) => s.size),
        }),
      reportUri('diff', files),
    );
  };

  context.subscriptions.push(
    reports,
    vscode.workspace.registerTextDocumentContentProvider(SNAPSHOT_SCHEME, reports),
    vscode.commands.registerCommand('heapscope.openSnapshot', openSnapshot),
    vscode.commands.registerCommand('heapscope.diffSnapshots', diffSnapshots),
    vscode.commands.registerCommand('heapscope.openSnapshotExplorer', openExplorerOn),
  );
}
