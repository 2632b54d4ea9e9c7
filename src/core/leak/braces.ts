// Rough brace matching in JavaScript source, for the scans that look at a function's body (the
// inlining candidates, the function that adds to a holder): strings, template literals and comments
// are skipped, regular expression literals are not understood.

/** Offset of the `}` that closes the `{` at `open`; undefined when the source ends first. */
export function matchingBrace(source: string, open: number, maxLength = Infinity): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  const end = Math.min(source.length, open + maxLength);
  for (let i = open; i < end; i++) {
    const ch = source[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '/' && source[i + 1] === '/') i = Math.max(i, source.indexOf('\n', i) - 1);
    else if (ch === '/' && source[i + 1] === '*') i = Math.max(i, source.indexOf('*/', i + 2) + 1);
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return undefined;
}
