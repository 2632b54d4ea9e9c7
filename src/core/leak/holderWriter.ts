// The function that adds to a holder. A holder no sampled site explains (V8 inlined the allocating
// function into its caller, or the objects are Buffers whose backing stores were never sampled) is
// named by the variable that keeps the objects; a developer still wants the function to change. In
// the holder's own file, the one function that pushes, sets or adds into that variable is it.
import { matchingBrace } from './braces';

export interface HolderWriter {
  functionName: string;
  /** Where the function is declared, 1-based (a suspect's location). */
  line: number;
  column: number;
  /** The line of the first write into the holder, 1-based. */
  writeLine: number;
}

/** Roots of a holder's name: `configBus._events.change` is written through `configBus`. */
function rootName(holderName: string): string | undefined {
  const root = /^[A-Za-z_$][\w$]*/.exec(holderName.trim())?.[0];
  return root && root !== 'this' ? root : undefined;
}

/**
 * The single function of `source` that writes into `holderName` (push, unshift, set, add, splice or an
 * indexed assignment); undefined when none or more than one does, or the writes are at module level.
 */
export function findHolderWriter(source: string, holderName: string): HolderWriter | undefined {
  const root = rootName(holderName);
  if (!root) return undefined;
  const name = root.replace(/[$]/g, '\\$&');
  const write = new RegExp(
    `(?<![\\w$.])${name}\\s*(?:\\.\\s*(?:push|unshift|set|add|splice)\\s*\\(|\\[[^\\]\\n]*\\]\\s*=(?!=))`,
    'g',
  );
  const functions = functionRanges(source);
  const writers = new Map<string, HolderWriter>();
  for (let match = write.exec(source); match; match = write.exec(source)) {
    const enclosing = functions
      .filter((f) => f.start <= match.index && match.index < f.end)
      .sort((a, b) => a.end - a.start - (b.end - b.start))[0];
    if (!enclosing) continue;
    if (!writers.has(enclosing.name)) {
      const declared = position(source, enclosing.head);
      writers.set(enclosing.name, {
        functionName: enclosing.name,
        line: declared.line,
        column: declared.column,
        writeLine: position(source, match.index).line,
      });
    }
  }
  return writers.size === 1 ? [...writers.values()][0] : undefined;
}

function position(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  return { line: before.split('\n').length, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

interface FunctionRange {
  name: string;
  /** Offset of the name (declarations) or of the binding. */
  head: number;
  /** Offsets of the body, braces included. */
  start: number;
  end: number;
}

/** Named functions of `source` (declarations, function or arrow expressions bound to a name, methods). */
function functionRanges(source: string): FunctionRange[] {
  const heads =
    /(?:function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(|(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?(?:function\b[^(]*\(|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)|^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*\{)/gm;
  const ranges: FunctionRange[] = [];
  for (let match = heads.exec(source); match; match = heads.exec(source)) {
    const name = match[1] ?? match[2] ?? match[3];
    if (!name || KEYWORDS.has(name)) continue;
    const open = source.indexOf('{', match.index + match[0].length - 1);
    if (open < 0) continue;
    const close = matchingBrace(source, open);
    const head = match.index + match[0].indexOf(name);
    if (close !== undefined) ranges.push({ name, head, start: open, end: close + 1 });
  }
  return ranges;
}

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'function']);
