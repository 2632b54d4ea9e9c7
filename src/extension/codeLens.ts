// Leak suspects inline: a CodeLens over each suspect's function (or the holder's declaration), an
// overview-ruler mark with the detail as hover, an optional Problems entry per confirmed leak, and a
// read-only Markdown detail opened from the lens.
import { stripControl } from '../shared/text';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { SessionController } from './controller';
import type { E2eLens } from './e2eState';
import { lensesForFile, type LensSpec, type SessionSuspects } from './lensModel';
import { scriptUrlToPath } from './locations';
import type { SessionEntry } from './sessionRegistry';
import { suspectMarkdown } from './suspectDetail';
import { SHOW_SUSPECT_OBJECTS } from './explorer/suspectObjects';

/** How often a lens whose place did not change gets its figures redrawn. */
const TITLE_REFRESH_MS = 30_000;

export const SUSPECT_SCHEME = 'heapscope-suspect';

export class SuspectLenses
  implements vscode.CodeLensProvider, vscode.TextDocumentContentProvider, vscode.Disposable
{
  private readonly lensEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensEmitter.event;
  private readonly docEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.docEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('heapscope');
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.warningForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
    isWholeLine: true,
    borderWidth: '0 0 0 2px',
    borderStyle: 'solid',
    borderColor: new vscode.ThemeColor('editorWarning.foreground'),
  });
  private refreshTimer: NodeJS.Timeout | undefined;
  /** What the lenses of the last refresh were made of: unchanged → no change event. */
  private lastSignature = '';
  private lastTitles = '';
  private lastFireMs = 0;
  /** Lenses currently shown per file path (what the e2e hook reports). */
  private readonly shown = new Map<string, LensSpec[]>();

  constructor(private readonly controller: SessionController) {
    this.disposables.push(
      this.lensEmitter,
      this.docEmitter,
      this.diagnostics,
      this.decoration,
      vscode.languages.registerCodeLensProvider([{ scheme: 'file' }, { scheme: 'untitled' }], this),
      vscode.workspace.registerTextDocumentContentProvider(SUSPECT_SCHEME, this),
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('heapscope')) this.schedule();
      }),
      controller.onDidChange(({ what }) => {
        if (what === 'suspects' || what === 'ended' || what === 'status' || what === 'verdict')
          this.schedule();
      }),
    );
    const onRemoved = (): void => this.schedule();
    controller.registry.on('removed', onRemoved);
    this.disposables.push({ dispose: () => controller.registry.off('removed', onRemoved) });
  }

  /** Suspects of sessions observing now: lenses go away when their session ends. */
  private sources(): SessionSuspects[] {
    if (!this.controller.settings().codeLens) return [];
    return this.controller.registry.live.map((e) => ({ sessionId: e.id, suspects: e.session.suspects }));
  }

  private specsFor(document: vscode.TextDocument): LensSpec[] {
    const sources = this.sources();
    if (!sources.some((s) => s.suspects.length)) return [];
    return lensesForFile(
      document.uri.fsPath,
      document.getText().split(/\r?\n/),
      sources,
      this.controller.workspaceRoots(),
      existsSync,
    );
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const specs = this.specsFor(document);
    this.shown.set(document.uri.fsPath, specs);
    return specs.flatMap((spec) => {
      const range = new vscode.Range(spec.line - 1, 0, spec.line - 1, 0);
      const lens = new vscode.CodeLens(range, {
        title: spec.title,
        command: 'heapscope.showSuspect',
        arguments: [spec.sessionId, spec.rank],
        tooltip: 'Heapscope: show the allocation stack, the holder and the growth of this suspect',
      });
      if (spec.role !== 'holder') return [lens];
      // The holder's retainer path, in the snapshot explorer (the session's latest snapshot).
      const path = new vscode.CodeLens(range, {
        title: 'retainer path',
        command: SHOW_SUSPECT_OBJECTS,
        arguments: [spec.sessionId, spec.rank, 'holder'],
        tooltip: 'Heapscope: the largest object it holds, with its retainer path, in the snapshot explorer',
      });
      return [lens, path];
    });
  }

  /** Lenses for the e2e state line. */
  lensState(): E2eLens[] {
    const out: E2eLens[] = [];
    for (const [file, specs] of this.shown)
      for (const s of specs) out.push({ file, line: s.line, title: s.title });
    return out;
  }

  /** Batches refreshes: suspects arrive once per profile read, editors change often. */
  schedule(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, 250);
  }

  private refresh(): void {
    const visible: Array<[vscode.TextEditor, LensSpec[]]> = [];
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.scheme !== 'file') continue;
      visible.push([editor, this.specsFor(editor.document)]);
    }
    // Tell VS Code only when a lens moved, or (at most every TITLE_REFRESH_MS) when only a title's
    // figures changed. Each change event restarts VS Code's own debounce of the lens request, which
    // grows with how long requests take: on a busy machine, events every profile read (5 s) kept
    // restarting it and the lenses were never drawn at all.
    const where = JSON.stringify([
      this.sources().map((s) => [s.sessionId, s.suspects.map((x) => [x.url, x.line, x.rank])]),
      visible.map(([editor, specs]) => [
        editor.document.uri.fsPath,
        specs.map((x) => [x.line, x.role, x.rank, x.sessionId]),
      ]),
    ]);
    const titles = JSON.stringify(visible.map(([, specs]) => specs.map((x) => x.title)));
    const now = Date.now();
    if (
      where !== this.lastSignature ||
      (titles !== this.lastTitles && now - this.lastFireMs >= TITLE_REFRESH_MS)
    ) {
      this.lastSignature = where;
      this.lastTitles = titles;
      this.lastFireMs = now;
      this.shown.clear();
      this.lensEmitter.fire();
    }
    for (const [editor, specs] of visible) {
      this.shown.set(editor.document.uri.fsPath, specs);
      editor.setDecorations(
        this.decoration,
        specs
          .filter((s) => s.role === 'suspect')
          .map((s) => ({
            range: new vscode.Range(s.siteLine - 1, 0, s.siteLine - 1, 0),
            hoverMessage: this.hover(s.sessionId, s.rank),
          })),
      );
    }
    this.updateDiagnostics();
  }

  private hover(sessionId: string, rank: number): vscode.MarkdownString | undefined {
    const found = this.find(sessionId, rank);
    if (!found) return undefined;
    const md = new vscode.MarkdownString(
      suspectMarkdown(found.suspect, found.entry.name, this.controller.workspaceRoots(), existsSync),
    );
    // Holder naming pauses the target, so it is a link the user follows, never done on hover.
    if (!found.suspect.holder && !found.entry.ended && !found.entry.readOnly) {
      const args = encodeURIComponent(JSON.stringify([found.entry.id]));
      md.appendMarkdown(
        `\n[Name what holds it](command:heapscope.nameHolders?${args} "Takes 2 or 3 heap snapshots; the target pauses for each")\n`,
      );
    }
    md.isTrusted = { enabledCommands: ['heapscope.nameHolders'] };
    return md;
  }

  private find(
    sessionId: string,
    rank: number,
  ): { entry: SessionEntry; suspect: SessionEntry['session']['suspects'][number] } | undefined {
    const entry = this.controller.registry.get(sessionId);
    const suspect = entry?.session.suspects.find((s) => s.rank === rank);
    return entry && suspect ? { entry, suspect } : undefined;
  }

  /** A Problems entry per suspect of a session whose verdict is "leak" (setting, off by default). */
  private updateDiagnostics(): void {
    this.diagnostics.clear();
    if (!this.controller.settings().problemsForConfirmedLeaks) return;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const entry of this.controller.registry.live) {
      if (entry.session.verdict?.verdict !== 'leak') continue;
      for (const suspect of entry.session.suspects) {
        const file = scriptUrlToPath(suspect.url, this.controller.workspaceRoots(), existsSync);
        if (!file || suspect.line <= 0) continue;
        const line = suspect.line - 1;
        const diagnostic = new vscode.Diagnostic(
          new vscode.Range(line, Math.max(0, suspect.column - 1), line, Number.MAX_SAFE_INTEGER),
          `Memory leak: ${stripControl(suspect.functionName) || '(anonymous)'} keeps allocations alive (${entry.name}: suspect #${suspect.rank})`,
          vscode.DiagnosticSeverity.Warning,
        );
        diagnostic.source = 'Heapscope';
        diagnostic.code = 'leak';
        const list = byFile.get(file) ?? [];
        list.push(diagnostic);
        byFile.set(file, list);
      }
    }
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
  }

  /** heapscope.showSuspect: the detail, as a read-only Markdown preview beside the code. */
  async showSuspect(sessionId: string, rank: number): Promise<void> {
    const found = this.find(sessionId, rank);
    if (!found) {
      void vscode.window.showInformationMessage(
        'Heapscope: that suspect is gone (its session ended or it stopped growing).',
      );
      return;
    }
    const uri = vscode.Uri.from({
      scheme: SUSPECT_SCHEME,
      path: `/${encodeURIComponent(found.entry.name)}/suspect-${rank}.md`,
      query: new URLSearchParams({ session: sessionId, rank: String(rank) }).toString(),
    });
    this.docEmitter.fire(uri);
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    } catch {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const params = new URLSearchParams(uri.query);
    const found = this.find(params.get('session') ?? '', Number(params.get('rank')));
    if (!found) return '# Suspect gone\n\nIts session ended or it stopped growing.\n';
    return suspectMarkdown(found.suspect, found.entry.name, this.controller.workspaceRoots(), existsSync);
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
  }
}
