// Where CodeLenses go and what they say, from the suspects of the running sessions. Pure: the provider
// in codeLens.ts only turns these into vscode.CodeLens objects.
import type { Suspect } from '../core/types';
import { codeLensTitle, holderLensTitle } from './format';
import { samePath, scriptUrlToPath } from './locations';

export interface LensSpec {
  file: string;
  /** 1-based line the lens sits over (the function's or holder's declaration when found). */
  line: number;
  title: string;
  sessionId: string;
  rank: number;
  role: 'suspect' | 'holder';
  /**
   * The 1-based line the overview-ruler mark goes on: where the suspect allocates when that is known
   * (`Suspect.allocation`), else the suspect's own line; the holder's line for a holder lens.
   */
  siteLine: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Finds the declaration of `functionName` at or above `nearLine` (1-based) in `lines`, so the lens sits
 * over the function rather than inside it. Handles `function f`, `f = (…) =>`, `f: function`, methods
 * and classes; anonymous functions and misses return `nearLine`.
 */
export function findDeclarationLine(
  lines: readonly string[],
  functionName: string,
  nearLine: number,
  maxUp = 300,
): number {
  const near = Math.min(Math.max(nearLine, 1), Math.max(lines.length, 1));
  const name =
    functionName
      .split('.')
      .pop()
      ?.replace(/^(get|set|async) /, '') ?? '';
  if (!name || name === '(anonymous)' || !/^[\w$#]+$/.test(name)) return near;
  const n = escapeRegExp(name);
  const patterns = [
    new RegExp(`\\bfunction\\s*\\*?\\s*${n}\\s*[(<]`),
    new RegExp(`\\bclass\\s+${n}\\b`),
    new RegExp(`(^|[^\\w$.])${n}\\s*[:=]\\s*(async\\s+)?(function\\b|\\(|[\\w$]+\\s*=>)`),
    new RegExp(
      `^\\s*(public\\s+|private\\s+|protected\\s+)?(static\\s+)?(async\\s+)?(get\\s+|set\\s+)?\\*?${n}\\s*(<[^>]*>)?\\(`,
    ),
  ];
  for (let i = near; i >= Math.max(1, near - maxUp); i--) {
    const text = lines[i - 1] ?? '';
    if (patterns.some((p) => p.test(text))) return i;
  }
  return near;
}

export interface SessionSuspects {
  sessionId: string;
  suspects: readonly Suspect[];
}

/** Lens specs for one open file, across all sessions. `lines` is the document's text by line. */
export function lensesForFile(
  file: string,
  lines: readonly string[],
  sessions: readonly SessionSuspects[],
  roots: readonly string[],
  exists: (file: string) => boolean,
): LensSpec[] {
  const out: LensSpec[] = [];
  for (const { sessionId, suspects } of sessions) {
    for (const suspect of suspects) {
      const suspectFile = scriptUrlToPath(suspect.url, roots, exists);
      if (suspectFile && samePath(suspectFile, file) && suspect.line > 0) {
        out.push({
          file,
          line: findDeclarationLine(lines, suspect.functionName, suspect.line),
          title: codeLensTitle(suspect),
          sessionId,
          rank: suspect.rank,
          role: 'suspect',
          siteLine: suspect.allocation?.line ?? suspect.line,
        });
      }
      const holder = suspect.holder?.location;
      if (holder && holder.line > 0) {
        const holderFile = scriptUrlToPath(holder.url, roots, exists);
        if (holderFile && samePath(holderFile, file)) {
          out.push({
            file,
            line: holder.line,
            title: holderLensTitle(suspect),
            sessionId,
            rank: suspect.rank,
            role: 'holder',
            siteLine: holder.line,
          });
        }
      }
    }
  }
  // Two sessions on the same program would stack identical lenses: keep the first per line and role.
  const seen = new Set<string>();
  return out.filter((l) => {
    const key = `${l.line}:${l.role}:${l.title}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
