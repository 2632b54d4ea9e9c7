// Text that comes from a target or a snapshot (function, constructor, property and variable names,
// retainer paths, notes) is data, never markup or terminal commands: a name holding "\x1b]52;…" would
// drive the user's terminal, one holding "](command:…)" or "<img …>" would become a link or HTML.
// Every face passes such text through one of these functions before it shows it.

/**
 * C0 and C1 control characters (ESC, BEL, CR, backspace…), DEL, and the Unicode bidirectional
 * overrides and isolates that reorder how a line reads (CVE-2021-42574, "Trojan Source").
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** For a terminal: control characters removed (a tab or a newline becomes a space). */
export function stripControl(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ').replace(CONTROL, '');
}

/**
 * Markdown that shows `text` literally, on one line (table cells included): no emphasis, code, link,
 * image, autolink, HTML or entity can start inside it.
 */
export function escapeMarkdown(text: string): string {
  return stripControl(text)
    .replace(/\s{2,}/g, ' ')
    .replace(/[\\`*_[\]<>|~#&]/g, (c) => `\\${c}`);
}

function longestBacktickRun(lines: readonly string[]): number {
  let longest = 0;
  for (const line of lines)
    for (const run of line.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/** A Markdown code span holding `text` whatever backticks it contains. */
export function codeSpan(text: string): string {
  const oneLine = stripControl(text);
  const fence = '`'.repeat(longestBacktickRun([oneLine]) + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') || oneLine === '' ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

/** A fenced code block of `lines` (each stripped of controls) that no line can close early. */
export function codeBlock(lines: readonly string[], info = 'text'): string[] {
  const clean = lines.map(stripControl);
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(clean) + 1));
  return [`${fence}${info}`, ...clean, fence];
}

/** For HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return stripControl(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** For a CodeLens or status bar title: no controls, and no "$(icon)" syntax from the target. */
export function plainLabel(text: string): string {
  return stripControl(text).replace(/\$\(/g, '$\u200b(');
}
