// Source locations from a snapshot: a closure's function position (the snapshot's `locations`
// array), the script URL behind a script id (closure → shared → script → name), and the line
// where a variable or property is declared, found by searching the script's source. When the
// search is not conclusive the answer is "unknown" (undefined), never a guess.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { SourceFrame } from '../types';
import type { HeapSnapshot } from './snapshot';

export type ScriptSourceLookup = (scriptIdOrUrl: string) => Promise<string | undefined>;

function edgeByName(snapshot: HeapSnapshot, o: number, name: string): number {
  const [start, end] = snapshot.edgesOf(o);
  for (let e = start; e < end; e++) {
    const type = snapshot.edgeType(e);
    if (type === snapshot.et.element || type === snapshot.et.hidden) continue;
    if (snapshot.edgeName(e) === name) return snapshot.raw.edgeTo[e];
  }
  return -1;
}

/** Script URL of a closure (via its SharedFunctionInfo's Script), or ''. */
export function closureScriptUrl(snapshot: HeapSnapshot, closure: number): string {
  const shared = edgeByName(snapshot, closure, 'shared');
  if (shared < 0) return '';
  let script = edgeByName(snapshot, shared, 'script_or_debug_info');
  if (script < 0) script = edgeByName(snapshot, shared, 'script');
  if (script < 0) return '';
  // V8 names the Script node after its URL; older versions hang the URL off a `name` edge.
  const own = snapshot.nodeName(script);
  if (own && !own.startsWith('system /') && !own.startsWith('(')) return own;
  const name = edgeByName(snapshot, script, 'name');
  return name < 0 ? '' : snapshot.nodeName(name);
}

export class SourceLocator {
  private scriptUrls = new Map<number, string>();
  private sources = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly snapshot: HeapSnapshot,
    private readonly getScriptSource?: ScriptSourceLookup,
  ) {}

  /** URL of a script id, found through any closure located in that script. */
  scriptUrl(scriptId: number): string {
    const cached = this.scriptUrls.get(scriptId);
    if (cached !== undefined) return cached;
    const { locations, nodeTypes } = this.snapshot.raw;
    let url = '';
    for (let i = 0; i < locations.length && !url; i += 4) {
      if (locations[i + 1] !== scriptId || nodeTypes[locations[i]] !== this.snapshot.t.closure) continue;
      url = closureScriptUrl(this.snapshot, locations[i]);
    }
    this.scriptUrls.set(scriptId, url);
    return url;
  }

  /** Function location of a closure / constructor location of an object, 1-based. */
  nodeFrame(o: number): SourceFrame | undefined {
    const location = this.snapshot.location(o);
    if (!location) return undefined;
    const url =
      this.snapshot.nodeType(o) === 'closure'
        ? closureScriptUrl(this.snapshot, o) || this.scriptUrl(location.scriptId)
        : this.scriptUrl(location.scriptId);
    const functionName =
      this.snapshot.nodeType(o) === 'closure' ? this.snapshot.nodeName(o) : this.snapshot.className(o);
    return { functionName, url, line: location.line + 1, column: location.column + 1 };
  }

  /** A closure that owns this Context (its `context` edge points here), or -1. */
  closureOfContext(context: number): number {
    const [start, end] = this.snapshot.retainerRange(context);
    for (let i = start; i < end; i++) {
      const from = this.snapshot.retainerNodeAt(i);
      const edge = this.snapshot.retainerEdgeAt(i);
      if (
        this.snapshot.raw.nodeTypes[from] === this.snapshot.t.closure &&
        this.snapshot.edgeName(edge) === 'context'
      )
        return from;
    }
    return -1;
  }

  async source(url: string, scriptId?: number): Promise<string | undefined> {
    const key = url || `#${scriptId}`;
    let pending = this.sources.get(key);
    if (!pending) {
      pending = this.loadSource(url, scriptId);
      this.sources.set(key, pending);
    }
    return pending;
  }

  private async loadSource(url: string, scriptId?: number): Promise<string | undefined> {
    if (this.getScriptSource) {
      try {
        const viaCallback =
          (await this.getScriptSource(url)) ??
          (scriptId !== undefined ? await this.getScriptSource(String(scriptId)) : undefined);
        if (viaCallback !== undefined) return viaCallback;
      } catch {
        // fall through to the file on disk
      }
    }
    let path: string | undefined;
    if (url.startsWith('file://')) path = fileURLToPath(url);
    else if (url.startsWith('/') || /^[A-Za-z]:[\\/]/.test(url)) path = url;
    if (!path) return undefined;
    try {
      return await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
  }

  /**
   * Where `name` is declared in the script: a `const|let|var|function|class name` (for closure
   * variables) or a `name:` / `.name =` (for properties). `fromLine` (0-based) restricts the search
   * to the owning function's body. Unique match only; otherwise unknown.
   */
  async declaration(
    url: string,
    name: string,
    kind: 'variable' | 'property',
    fromLine = 0,
    scriptId?: number,
  ): Promise<SourceFrame | undefined> {
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) return undefined;
    const text = await this.source(url, scriptId);
    if (text === undefined) return undefined;
    const escaped = name.replace(/\$/g, '\\$');
    const patterns =
      kind === 'variable'
        ? [
            new RegExp(`\\b(?:const|let|var)\\s+${escaped}\\b`, 'g'),
            new RegExp(`\\b(?:function\\*?|class)\\s+${escaped}\\b`, 'g'),
          ]
        : [
            new RegExp(`\\.${escaped}\\s*=(?!=)`, 'g'),
            new RegExp(`(?:^|[{,\\s])${escaped}\\s*:(?!:)`, 'gm'),
            new RegExp(`\\b(?:const|let|var)\\s+${escaped}\\b`, 'g'),
          ];
    const lines = lineStarts(text);
    for (const pattern of patterns) {
      const hits: number[] = [];
      for (const match of text.matchAll(pattern)) {
        const at = (match.index ?? 0) + match[0].indexOf(name);
        if (lineOf(lines, at) >= fromLine) hits.push(at);
      }
      if (
        hits.length === 1 ||
        (kind === 'variable' && hits.length > 1 && pattern === patterns[0] && fromLine > 0)
      ) {
        const at = hits[0];
        const line = lineOf(lines, at);
        return { functionName: name, url, line: line + 1, column: at - lines[line] + 1 };
      }
      if (hits.length > 1) return undefined; // ambiguous: say unknown
    }
    return undefined;
  }

  /**
   * A context slot the snapshot left unnamed (a hidden edge `[0]`: V8 gives some block contexts'
   * variables no name): the one variable of the script, declared before the closure that owns the
   * context with an initialiser of the holder's kind (`[]` for an Array, `new Map` …), that the
   * closure's body uses. Unique match only; otherwise unknown.
   */
  async unnamedVariable(
    url: string,
    scriptId: number | undefined,
    closure: { line: number; column: number },
    containerKind: string,
  ): Promise<SourceFrame | undefined> {
    const text = await this.source(url, scriptId);
    if (text === undefined) return undefined;
    const lines = lineStarts(text);
    if (closure.line >= lines.length) return undefined;
    const start = lines[closure.line] + closure.column;
    const body = functionBody(text, start);
    if (body === undefined) return undefined;
    const init = INITIALISERS[containerKind] ?? '';
    const declared = new RegExp(`\\b(?:const|let|var)\\s+([A-Za-z_$][\\w$]*)\\s*=\\s*${init}`, 'g');
    const found = new Map<string, number>();
    for (const match of text.slice(0, start).matchAll(declared)) {
      const name = match[1]!;
      const at = (match.index ?? 0) + match[0].indexOf(name);
      const used = new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(body);
      // The same name declared twice before the closure: which one it closes over is not known here.
      if (used) found.set(name, found.has(name) ? -1 : at);
    }
    const hits = [...found.entries()].filter(([, at]) => at >= 0);
    if (hits.length !== 1 || found.size !== 1) return undefined;
    const [name, at] = hits[0]!;
    const line = lineOf(lines, at);
    return { functionName: name, url, line: line + 1, column: at - lines[line] + 1 };
  }
}

/** Initialisers that make a holder of this kind (regular expression source), by the holder's kind. */
const INITIALISERS: Record<string, string> = {
  Array: '(?:\\[|new\\s+Array\\b|Array\\.(?:from|of)\\b)',
  Map: 'new\\s+Map\\b',
  Set: 'new\\s+Set\\b',
  WeakMap: 'new\\s+WeakMap\\b',
  Object: '(?:\\{|Object\\.create\\b)',
};

/** The text of the function that starts at `start` (its first `{` to the matching `}`), roughly. */
function functionBody(text: string, start: number): string | undefined {
  const open = text.indexOf('{', start);
  if (open < 0) return undefined;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(open, i + 1);
  }
  return undefined;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
