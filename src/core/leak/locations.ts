// Maps V8's raw positions (generated code, 0-based) to where the user's code is (original file,
// 1-based), through source maps: external .map files next to tsc/esbuild output, and inline maps,
// including the in-memory transforms of tsx / ts-node, whose running source only the target has
// (hence ScriptSourceProvider first, disk second).
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  TraceMap,
  originalPositionFor,
  GREATEST_LOWER_BOUND,
  LEAST_UPPER_BOUND,
} from '@jridgewell/trace-mapping';
import type { RawFrame, SourceFrame } from '../types';
import { displayUrl, frameOrigin } from './frames';

export interface ScriptSourceProvider {
  /** The script's source text as the target runs it (Debugger.getScriptSource), when available. */
  getScriptSource(scriptId: string, url: string): Promise<string | undefined>;
}

interface LoadedScript {
  source?: string;
  map?: TraceMap;
}

const SOURCE_MAPPING_URL = /\/[/*][#@]\s*sourceMappingURL=([^\s*'"]+)\s*(?:\*\/\s*)?$/;

/** The last sourceMappingURL comment of a script, if any. */
export function findSourceMappingUrl(source: string): string | undefined {
  // Only the tail: the comment must be at the end, and scanning megabytes of bundle line by line
  // for every script would be wasteful.
  const tail = source.slice(-Math.min(source.length, 1 << 20));
  const lines = tail.split('\n');
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 8; i--) {
    const match = SOURCE_MAPPING_URL.exec(lines[i].trim());
    if (match) return match[1];
  }
  return undefined;
}

function urlToPath(url: string): string | undefined {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  return isAbsolute(url) ? url : undefined;
}

export function decodeDataUrl(url: string): string | undefined {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) return undefined;
  const meta = url.slice(5, comma);
  const payload = url.slice(comma + 1);
  return meta.endsWith(';base64')
    ? Buffer.from(payload, 'base64').toString('utf8')
    : decodeURIComponent(payload);
}

export class LocationResolver {
  private readonly scripts = new Map<string, Promise<LoadedScript>>();

  constructor(
    private readonly sources: ScriptSourceProvider,
    private readonly options: { projectRoot?: string } = {},
  ) {}

  /** The generated source of a script (for the inlining scan), as the target runs it. */
  async source(frame: Pick<RawFrame, 'scriptId' | 'url'>): Promise<string | undefined> {
    return (await this.load(frame)).source;
  }

  /**
   * The original text of `url`, one of the sources the frame's script maps to (as `resolve` names
   * it), from the source map's `sourcesContent`; undefined when the map does not carry it.
   */
  async originalSource(frame: Pick<RawFrame, 'scriptId' | 'url'>, url: string): Promise<string | undefined> {
    const { map } = await this.load(frame);
    if (!map) return undefined;
    const index = map.resolvedSources.findIndex((source) => displayUrl(source) === url);
    return index >= 0 ? (map.sourcesContent?.[index] ?? undefined) : undefined;
  }

  /**
   * `originalName`: name the frame as the source map does where it has a name there (a minified
   * bundle's `E` is `run` again); otherwise V8's name comes first and the map's fills a blank.
   */
  async resolve(frame: RawFrame, options: { originalName?: boolean } = {}): Promise<SourceFrame> {
    const plain: SourceFrame = {
      functionName: frame.functionName,
      url: displayUrl(frame.url),
      line: frame.lineNumber >= 0 ? frame.lineNumber + 1 : 0,
      column: frame.columnNumber >= 0 ? frame.columnNumber + 1 : 0,
    };
    if (frameOrigin(frame) !== 'user' && frameOrigin(frame) !== 'node_modules') return plain;
    const script = await this.load(frame);
    if (!script.map || frame.lineNumber < 0) return plain;
    const needle = { line: frame.lineNumber + 1, column: Math.max(0, frame.columnNumber) };
    let position = originalPositionFor(script.map, { ...needle, bias: GREATEST_LOWER_BOUND });
    // A function's start may sit just before the first mapped segment of its line (e.g. `async`
    // or an export wrapper the compiler added): then the next segment on that line is the one.
    // The name of a segment found after the position belongs to something else (a parameter).
    let mappedName = position.name;
    if (position.source === null || position.line === null) {
      position = originalPositionFor(script.map, { ...needle, bias: LEAST_UPPER_BOUND });
      mappedName = null;
    }
    if (position.source === null || position.line === null) return plain;
    return {
      functionName:
        (options.originalName ? mappedName || frame.functionName : frame.functionName || position.name) || '',
      url: displayUrl(position.source),
      line: position.line,
      column: (position.column ?? 0) + 1,
    };
  }

  private load(frame: Pick<RawFrame, 'scriptId' | 'url'>): Promise<LoadedScript> {
    const key = `${frame.scriptId}\u0000${frame.url}`;
    let loaded = this.scripts.get(key);
    if (!loaded) {
      loaded = this.loadUncached(frame).catch(() => ({}));
      this.scripts.set(key, loaded);
    }
    return loaded;
  }

  private async loadUncached(frame: Pick<RawFrame, 'scriptId' | 'url'>): Promise<LoadedScript> {
    let source: string | undefined;
    try {
      source = await this.sources.getScriptSource(frame.scriptId, frame.url);
    } catch {
      source = undefined;
    }
    const scriptPath =
      urlToPath(frame.url) ??
      (this.options.projectRoot && frame.url ? resolvePath(this.options.projectRoot, frame.url) : undefined);
    if (source === undefined && scriptPath)
      source = await readFile(scriptPath, 'utf8').catch(() => undefined);
    if (source === undefined) return {};
    const mapUrl = findSourceMappingUrl(source);
    if (!mapUrl) return { source };
    let mapText: string | undefined;
    let mapBase = scriptPath ? pathToFileURL(scriptPath).href : frame.url;
    if (mapUrl.startsWith('data:')) {
      mapText = decodeDataUrl(mapUrl);
    } else {
      const mapPath = mapUrl.startsWith('file://')
        ? urlToPath(mapUrl)
        : scriptPath
          ? resolvePath(dirname(scriptPath), mapUrl)
          : undefined;
      if (mapPath) {
        mapText = await readFile(mapPath, 'utf8').catch(() => undefined);
        mapBase = pathToFileURL(mapPath).href;
      }
    }
    if (!mapText) return { source };
    try {
      return { source, map: new TraceMap(mapText, mapBase) };
    } catch {
      // A broken map must not lose the frame: it is then reported at its generated position.
      return { source };
    }
  }
}
