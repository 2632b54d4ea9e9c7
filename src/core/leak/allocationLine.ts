// The line inside a culprit function where its growing allocations happen. V8's sampling profile
// only gives the function's own position, but when the biggest contributing stack had builtins or
// Node internals above the first user frame (String.prototype.repeat, Array.prototype.push,
// Buffer.alloc…), the outermost of them is a call the user wrote in that function's body: find that
// call in the function's source text. Exactly one call (or several on one line) gives a line; more,
// or none, give nothing: saying nothing beats pointing at the wrong line.
//
// Calls inside functions nested in the culprit count too: TurboFan inlines callbacks (forEach, map,
// small closures) into their caller, whose frame is then charged with their allocations; a call in a
// nested function therefore is a candidate, and with another candidate it makes the result ambiguous.
import type { SourceFrame } from '../types';
import { frameOrigin } from './frames';

export interface AllocationLine {
  /** 1-based line of the call. */
  line: number;
  /** 1-based column of the called name (of `new` for a constructor call). */
  column: number;
  /** The call as written, when short: `'x'.repeat`, `Buffer.alloc`, `new Map`, `push`. */
  callee?: string;
}

/**
 * The frame the first user frame called into: the outermost non-user frame above it (top first
 * stack, after folding rules: meta frames skipped). Undefined when the user frame is on top.
 */
export function calleeAboveTop(stack: readonly SourceFrame[]): SourceFrame | undefined {
  let callee: SourceFrame | undefined;
  for (const frame of stack) {
    const origin = frameOrigin(frame);
    if (origin === 'meta') continue;
    if (origin === 'user') return callee;
    callee = frame;
  }
  return undefined;
}

/** The name a call to `functionName` is written with: `Buffer.from` → `from`; accessors → none. */
export function callableName(functionName: string): string | undefined {
  if (/^(get|set) /.test(functionName)) return undefined;
  const name = functionName
    .replace(/^async /, '')
    .split('.')
    .pop();
  return name && /^[A-Za-z_$][\w$]*$/.test(name) ? name : undefined;
}

const REGEX_AFTER_WORD = new Set([
  'return',
  'typeof',
  'instanceof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'yield',
  'await',
]);

/**
 * `source` with the text of comments, strings, template literals and regular expression literals
 * replaced by spaces (newlines kept), so offsets and lines are unchanged and what is left is code.
 * Template substitutions (`${…}`) stay code; their `${` and `}` are blanked so braces balance.
 * Scanning starts at `from`, which must be in code (a function's position is); text before is kept.
 */
export function maskSource(source: string, from = 0): string {
  const out = source.split('');
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  // One entry per open template substitution: the brace depth inside it.
  const templates: number[] = [];
  let i = from;
  /** Index of the last code character (-1: none yet, -2: a literal, comment or template). */
  let last = -1;
  const n = source.length;
  if (from === 0 && source.startsWith('#!')) {
    const end = source.indexOf('\n');
    i = end < 0 ? n : end;
    blank(0, i);
  }
  /** Scans template text from i (just after ` or a substitution's }); returns where code resumes. */
  const templateText = (from: number): number => {
    let k = from;
    while (k < n) {
      const ch = source[k];
      if (ch === '\\') k += 2;
      else if (ch === '`') {
        blank(from, k + 1);
        return k + 1;
      } else if (ch === '$' && source[k + 1] === '{') {
        blank(from, k + 2);
        templates.push(0);
        return k + 2;
      } else k++;
    }
    blank(from, n);
    return n;
  };
  while (i < n) {
    const ch = source[i];
    const next = source[i + 1];
    let comment = false;
    if (ch === '/' && next === '/') {
      comment = true;
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      blank(i, stop);
      i = stop;
    } else if (ch === '/' && next === '*') {
      comment = true;
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      blank(i, stop);
      i = stop;
    } else if (ch === '"' || ch === "'") {
      let k = i + 1;
      while (k < n && source[k] !== ch && source[k] !== '\n') k += source[k] === '\\' ? 2 : 1;
      blank(i, k + 1);
      i = k + 1;
    } else if (ch === '`') {
      blank(i, i + 1);
      i = templateText(i + 1);
    } else if (ch === '{') {
      if (templates.length) templates[templates.length - 1]++;
      i++;
    } else if (ch === '}') {
      if (templates.length && templates[templates.length - 1] === 0) {
        templates.pop();
        blank(i, i + 1);
        i = templateText(i + 1);
      } else {
        if (templates.length) templates[templates.length - 1]--;
        i++;
      }
    } else if (ch === '/' && regexAllowed(source, last)) {
      const end = regexEnd(source, i);
      if (end < 0) i++;
      else {
        blank(i, end);
        i = end;
      }
    } else i++;
    // The last code character before the next one: a literal's end counts as an operand.
    if (!comment && i > 0 && i <= n && !/\s/.test(source[i - 1])) last = out[i - 1] === ' ' ? -2 : i - 1;
  }
  return out.join('');
}

/** Whether a `/` starts a regular expression, from the last code character before it (`last`). */
function regexAllowed(source: string, last: number): boolean {
  if (last === -1) return true;
  if (last === -2) return false;
  const prev = source[last];
  if ('(,=:[!&|?{};+-*%<>~^'.includes(prev)) return true;
  if (!/[\w$]/.test(prev)) return false;
  let s = last;
  while (s > 0 && /[\w$]/.test(source[s - 1])) s--;
  return REGEX_AFTER_WORD.has(source.slice(s, last + 1));
}

/** End (exclusive) of a regular expression literal starting at `at`, or -1 when it is not one. */
function regexEnd(source: string, at: number): number {
  let k = at + 1;
  let inClass = false;
  while (k < source.length) {
    const ch = source[k];
    if (ch === '\n') return -1;
    if (ch === '\\') k += 2;
    else {
      if (ch === '[') inClass = true;
      else if (ch === ']') inClass = false;
      else if (ch === '/' && !inClass) {
        k++;
        while (k < source.length && /[a-z]/i.test(source[k])) k++;
        return k;
      }
      k++;
    }
  }
  return -1;
}

const OPEN = '([{';
const CLOSE = ')]}';

/** Index just past the bracket matching the one at `open` in masked code, or -1. */
function matchBracket(masked: string, open: number): number {
  let depth = 0;
  for (let k = open; k < masked.length; k++) {
    const ch = masked[k];
    if (OPEN.includes(ch)) depth++;
    else if (CLOSE.includes(ch) && --depth === 0) return k + 1;
  }
  return -1;
}

const MAX_HEAD = 4000;

/**
 * The extent [start, end) of the function whose position (as V8 or a source map gives it: its
 * parameter list, name or `function` keyword) is `start` in masked code, or undefined when it cannot
 * be made out. `bodyStart` is where its body (`{` or an arrow's expression) begins.
 */
export function functionExtent(
  masked: string,
  start: number,
): { start: number; bodyStart: number; end: number } | undefined {
  if (/^class\b/.test(masked.slice(start, start + 6))) {
    // A class's constructor is reported at the class: its body is the `constructor`'s.
    const open = masked.indexOf('{', start);
    const close = open < 0 ? -1 : matchBracket(masked, open);
    if (close < 0) return undefined;
    let depth = 0;
    for (let k = open; k < close; k++) {
      const ch = masked[k];
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
      else if (depth === 1 && masked.startsWith('constructor', k) && !/[\w$]/.test(masked[k - 1] ?? ''))
        return functionExtent(masked, k);
    }
    return undefined;
  }
  let depth = 0;
  let angle = 0;
  for (let k = start; k < masked.length && k < start + MAX_HEAD; k++) {
    const ch = masked[k];
    if (depth === 0 && ch === '=' && masked[k + 1] === '>') {
      let b = k + 2;
      while (b < masked.length && /\s/.test(masked[b])) b++;
      if (masked[b] === '{') {
        const end = matchBracket(masked, b);
        return end < 0 ? undefined : { start, bodyStart: b, end };
      }
      return { start, bodyStart: b, end: expressionEnd(masked, b) };
    }
    if (depth === 0 && angle === 0 && ch === '{') {
      const end = matchBracket(masked, k);
      return end < 0 ? undefined : { start, bodyStart: k, end };
    }
    if (OPEN.includes(ch)) depth++;
    else if (CLOSE.includes(ch)) {
      if (--depth < 0) return undefined;
    } else if (depth === 0 && ch === '<') angle++;
    else if (depth === 0 && ch === '>' && angle > 0) angle--;
    else if (depth === 0 && ch === ';') return undefined;
  }
  return undefined;
}

/** End of an arrow function's expression body: its line, or further while brackets are open. */
function expressionEnd(masked: string, from: number): number {
  let depth = 0;
  for (let k = from; k < masked.length; k++) {
    const ch = masked[k];
    if (OPEN.includes(ch)) depth++;
    else if (CLOSE.includes(ch)) {
      if (--depth < 0) return k;
    } else if (depth === 0 && (ch === ';' || ch === ',' || ch === '\n')) return k;
  }
  return masked.length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function offsetOf(source: string, line: number, column: number): number | undefined {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = source.indexOf('\n', offset);
    if (next < 0) return undefined;
    offset = next + 1;
  }
  const lineEnd = source.indexOf('\n', offset);
  const col = Math.max(0, column - 1);
  if (lineEnd >= 0 && offset + col > lineEnd) return undefined;
  return offset + col;
}

function positionOf(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = source.indexOf('\n'); k >= 0 && k < offset; k = source.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The receiver written before `.name` at `dot` (`'x'`, `Buffer`, `this.items`), when simple. */
function receiverBefore(source: string, dot: number): string | undefined {
  let k = dot - 1;
  const ch = source[k];
  if (ch === "'" || ch === '"') {
    const open = source.lastIndexOf(ch, k - 1);
    if (open < 0 || k - open > 24 || source.slice(open, k).includes('\n')) return undefined;
    return source.slice(open, k + 1);
  }
  while (k >= 0 && /[\w$.#]/.test(source[k])) k--;
  const text = source.slice(k + 1, dot).replace(/^\.+/, '');
  return text && text.length <= 32 && /^[A-Za-z_$#]/.test(text) ? text : undefined;
}

/**
 * Where the function at 1-based (line, column) of `source` calls `callee` (a function name as V8
 * names it: `repeat`, `push`, `Buffer.alloc`, `Map`), searched from the function's position to the
 * end of its body. One call, or several on one line (the first is given): that call. None, or calls
 * on several lines: undefined. Comments, strings, template text and regular expressions are skipped;
 * declarations of a function or method with that name are not calls.
 */
export function findAllocationLine(
  source: string,
  line: number,
  column: number,
  callee: string,
): AllocationLine | undefined {
  const name = callableName(callee);
  if (!name || line < 1) return undefined;
  const start = offsetOf(source, line, column);
  if (start === undefined) return undefined;
  const masked = maskSource(source, start);
  const extent = functionExtent(masked, start);
  if (!extent) return undefined;
  const n = escapeRegExp(name);
  const constructor = /^[A-Z]/.test(name);
  const pattern = new RegExp(
    `(?<![\\w$#])${n}\\s*(?:\\?\\.\\s*)?\\(` + (constructor ? `|(\\bnew\\s+)${n}\\b(?!\\s*[\\w$(.])` : ''),
    'g',
  );
  const body = masked.slice(0, extent.end);
  pattern.lastIndex = extent.start;
  const found: Array<{ offset: number; nameAt: number }> = [];
  for (let m = pattern.exec(body); m; m = pattern.exec(body)) {
    const at = m.index;
    if (m[1] !== undefined) {
      found.push({ offset: at, nameAt: at + m[1].length });
      continue;
    }
    const before = masked.slice(Math.max(0, at - 24), at);
    // `function repeat(` or `get repeat(` declare; `obj.repeat(` and `repeat(` call.
    if (/\bfunction\s*\*?\s*$/.test(before) || /\b(get|set|static|async)\s+$/.test(before)) continue;
    const open = at + m[0].length - 1;
    const close = matchBracket(masked, open);
    if (close < 0) continue;
    let after = close;
    while (after < masked.length && /\s/.test(masked[after])) after++;
    // `repeat(n) { … }`: a method definition, not a call.
    if (masked[after] === '{') continue;
    let newAt = at;
    const newMatch = /\bnew\s+$/.exec(before);
    if (newMatch && constructor) newAt = at - newMatch[0].length;
    found.push({ offset: newAt, nameAt: at });
  }
  if (found.length === 0) return undefined;
  const positions = found.map((f) => positionOf(source, f.offset));
  if (positions.some((p) => p.line !== positions[0].line)) return undefined;
  const first = found[0];
  const written = calleeText(source, masked, first.offset, first.nameAt, name);
  return { ...positions[0], ...(written ? { callee: written } : {}) };
}

function calleeText(
  source: string,
  masked: string,
  offset: number,
  nameAt: number,
  name: string,
): string | undefined {
  if (offset !== nameAt) return `new ${name}`;
  let k = nameAt - 1;
  while (k >= 0 && /[ \t]/.test(masked[k])) k--;
  if (masked[k] === '.' && masked[k - 1] === '?') k--;
  if (masked[k] !== '.') return name;
  const receiver = receiverBefore(source, k);
  return receiver ? `${receiver}${source.slice(k, nameAt).replace(/\s+/g, '')}${name}` : name;
}
