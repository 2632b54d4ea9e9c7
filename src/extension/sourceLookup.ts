// What "open the code of this frame" can do when the frame's URL is not a file here: say what the
// script is when it has no file at all (Node's built-ins, eval'd code, inline data: scripts), or name
// the path tails to look for in the workspace when the file lives elsewhere (a container's /app/src,
// a bundle built on CI, a bundler's webpack:// URL). Pure: no `vscode`, paths as strings.
import { fileURLToPath } from 'node:url';

/** Why a script URL has no file behind it, as a sentence for the user; undefined when it may have one. */
export function describeNonFile(url: string): string | undefined {
  if (!url) return 'This frame has no script: it is native code (V8 or a Node.js addon).';
  if (/^node:/.test(url) || url.startsWith('internal/'))
    return `${url} is part of Node.js itself (a built-in module), not a file to open: the frames below it in the stack are the code that called it.`;
  if (isEvalUrl(url))
    return `${url} is code compiled at run time (eval, new Function or the vm module): it has no file to open.`;
  if (/^data:/i.test(url)) return 'This script was loaded from a data: URL: it has no file to open.';
  if (/^wasm:/i.test(url)) return `${url} is WebAssembly: it has no source file to open.`;
  return undefined;
}

/** The names V8 and Node give to code without a file: eval, vm scripts, the REPL, stdin. */
function isEvalUrl(url: string): boolean {
  return (
    url.startsWith('evalmachine.') ||
    /^\[(eval|stdin|worker eval)\]/.test(url) ||
    /^VM\d+$/.test(url) ||
    url.includes('<anonymous>') ||
    url === 'repl'
  );
}

/** Longest tail of a path tried in the workspace: deeper tails would only ever match less. */
const MAX_TAIL_SEGMENTS = 5;

/**
 * The path segments a script URL names (its directories and file name), or undefined when it names no
 * path: `/app/src/server.js`, `file:///app/src/server.js`, `C:\app\src\server.js`,
 * `webpack://my-app/./src/server.ts` and `http://host:3000/src/server.js` all name app/src/server.js
 * (or my-app/src/server.ts). A `..` drops what came before it: the tail after it is what is known.
 */
export function pathSegments(url: string): string[] | undefined {
  let pathPart: string;
  if (url.startsWith('file://')) {
    try {
      pathPart = fileURLToPath(url);
    } catch {
      return undefined;
    }
  } else if (/^https?:\/\//i.test(url)) {
    try {
      pathPart = decodeURIComponent(new URL(url).pathname);
    } catch {
      return undefined;
    }
  } else if (/^[a-zA-Z]:[\\/]/.test(url)) {
    pathPart = url.slice(2);
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    // Bundler schemes (webpack://, vite-node://, ng://) keep a project path after the scheme.
    pathPart = url.replace(/^[a-z][a-z0-9+.-]*:(\/\/)?/i, '').replace(/[?#].*$/, '');
  } else {
    pathPart = url;
  }
  const segments: string[] = [];
  for (const segment of pathPart.split(/[\\/]+/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.length = 0;
    else segments.push(segment);
  }
  return segments.length ? segments : undefined;
}

/**
 * The tails of a script's path to look for in the workspace, longest first: /app/src/server.js gives
 * app/src/server.js, src/server.js, server.js. A longer tail that matches is the better match.
 */
export function pathTails(url: string): string[] {
  const segments = pathSegments(url);
  if (!segments) return [];
  const tails: string[] = [];
  for (let n = Math.min(segments.length, MAX_TAIL_SEGMENTS); n >= 1; n--)
    tails.push(segments.slice(segments.length - n).join('/'));
  return tails;
}

/** A glob that matches `tail` literally at the end of a workspace path (glob characters escaped). */
export function tailGlob(tail: string): string {
  return `**/${tail.replace(/[[\]{}*?!]/g, (c) => `[${c}]`)}`;
}

/** Whether a path tail lies in installed packages (then node_modules must be searched too). */
export function inPackages(tail: string): boolean {
  return tail.split('/').includes('node_modules');
}

/**
 * The files among `found` (workspace paths, `/`-separated) whose path ends with `tail` at a segment
 * boundary, sorted: the search's glob may be looser than the tail (case, separators) on some systems.
 */
export function filesEndingWith(found: readonly string[], tail: string): string[] {
  return found
    .filter((file) => {
      const normal = file.replace(/\\/g, '/');
      return normal === tail || normal.endsWith(`/${tail}`);
    })
    .sort((a, b) => a.length - b.length || a.localeCompare(b));
}

/**
 * Whether a workspace file holds the same code as a map's embedded source: line endings, a byte-order
 * mark and trailing blank lines aside, so that the frame's line is the same line in both.
 */
export function sameSource(embedded: string, file: string): boolean {
  const normal = (text: string): string =>
    text
      .replace(/^\uFEFF/, '')
      .replace(/\r\n?/g, '\n')
      .replace(/\s+$/, '');
  return normal(embedded) === normal(file);
}

/**
 * The path an embedded source is shown under: the map's name for it, made into a path (its scheme
 * and `..` dropped), so the editor's title is the original file name and its tooltip the original path.
 */
export function embeddedSourcePath(url: string): string {
  const segments = pathSegments(url);
  return `/${(segments ?? ['source']).join('/')}`;
}
