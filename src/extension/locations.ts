// Maps the script URLs the engine reports (after source maps) to files on this machine, so CodeLens,
// "open source" and diagnostics land in the workspace. Pure: no `vscode`, paths as strings.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Suspect } from '../core/types';

/**
 * Absolute path of the file behind a script URL, or undefined when it is not a file we can open
 * (node:internal, evalmachine, http://, an empty URL).
 * - file:///a/b.ts              -> /a/b.ts
 * - /a/b.js                     -> /a/b.js
 * - webpack:///./src/x.ts, relative paths -> resolved against each root until one matches `exists`
 */
export function scriptUrlToPath(
  url: string,
  roots: readonly string[],
  exists: (file: string) => boolean,
): string | undefined {
  if (!url) return undefined;
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  if (/^(node|evalmachine|internal|wasm|data|https?|ws):/i.test(url) || url.includes('<')) return undefined;
  if (path.isAbsolute(url)) return url;
  // Windows drive paths reported by a target on Windows.
  if (/^[a-zA-Z]:[\\/]/.test(url)) return url;
  // Bundler schemes keep a project-relative path after the scheme: webpack:///./src/x.ts
  const relative = url.replace(/^[a-z][a-z0-9+.-]*:\/\/\/?/i, '').replace(/^\.\//, '');
  for (const root of roots) {
    const candidate = path.resolve(root, relative);
    if (exists(candidate)) return candidate;
  }
  return undefined;
}

/** Same file? Compares normalised absolute paths (case-insensitively where the file system is). */
export function samePath(a: string, b: string, caseInsensitive = process.platform !== 'linux'): boolean {
  const na = path.normalize(a);
  const nb = path.normalize(b);
  return caseInsensitive ? na.toLowerCase() === nb.toLowerCase() : na === nb;
}

/** "src/cache.ts:42" relative to the first root that contains it, for labels. */
export function shortLocation(file: string, line: number, roots: readonly string[]): string {
  for (const root of roots) {
    const rel = path.relative(root, file);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return `${rel}:${line}`;
  }
  return `${path.basename(file)}:${line}`;
}

/** The script URLs a session reported: its suspects, their stacks and their holders' declarations. */
export function reportedSourceUrls(suspects: readonly Suspect[]): Set<string> {
  const urls = new Set<string>();
  for (const suspect of suspects) {
    if (suspect.url) urls.add(suspect.url);
    for (const frame of suspect.stack ?? []) if (frame.url) urls.add(frame.url);
    if (suspect.holder?.location?.url) urls.add(suspect.holder.location.url);
  }
  return urls;
}

/**
 * Whether the webview may open this file: it lies inside a workspace folder (links followed), or it
 * is what a URL the session itself reported points to. The webview shows text from the target, so a
 * message asking to open /etc/shadow or ~/.ssh/id_rsa must be refused.
 */
export function sourceOpenAllowed(
  url: string,
  file: string,
  roots: readonly string[],
  reported: ReadonlySet<string>,
  realpath: (file: string) => string,
): boolean {
  if (reported.has(url)) return true;
  let real: string;
  try {
    real = realpath(file);
  } catch {
    return false;
  }
  return roots.some((root) => {
    let realRoot: string;
    try {
      realRoot = realpath(root);
    } catch {
      return false;
    }
    const rel = path.relative(realRoot, real);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
}
