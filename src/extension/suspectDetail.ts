// The detail behind a leak CodeLens: allocation stack, holder, retainer path and a growth sparkline, as
// Markdown (shown in a hover and in a side document). Pure.
import type { Suspect } from '../core/types';
import { codeBlock, codeSpan, escapeMarkdown } from '../shared/text';
import { formatBytes, formatRate, sparkline } from './format';
import { scriptUrlToPath, shortLocation } from './locations';

export function suspectMarkdown(
  suspect: Suspect,
  sessionName: string,
  roots: readonly string[],
  exists: (file: string) => boolean,
): string {
  const where = (url: string, line: number): string => {
    const file = scriptUrlToPath(url, roots, exists);
    return file ? shortLocation(file, line, roots) : `${url}:${line}`;
  };
  const lines: string[] = [];
  lines.push(`### ⚠ Leak suspect #${suspect.rank}: ${codeSpan(suspect.functionName || '(anonymous)')}`);
  lines.push('');
  lines.push(
    `${escapeMarkdown(where(suspect.url, suspect.line))} · session **${escapeMarkdown(sessionName)}** · ${
      suspect.kind === 'external' ? 'off-heap (Buffer / ArrayBuffer)' : 'JS heap'
    }`,
  );
  lines.push('');
  if (suspect.allocation) {
    // Same file as the function: the line is enough. Backticks in the callee would end the code span.
    const { line, callee } = suspect.allocation;
    lines.push(`- Allocates at line **${line}**${callee ? ` (${codeSpan(callee)})` : ''}`);
  }
  lines.push(
    `- Live: **${formatBytes(suspect.liveBytes)}**, growing **${formatRate(suspect.growthBytesPerMinute)}**`,
  );
  if (suspect.series && suspect.series.length > 1) {
    const values = suspect.series.map(([, bytes]) => bytes);
    lines.push(
      `- Growth: \`${sparkline(values, 32)}\` (${formatBytes(values[0]!)} → ${formatBytes(values.at(-1)!)})`,
    );
  }
  if (suspect.note) lines.push(`- Note: ${escapeMarkdown(suspect.note)}`);
  if (suspect.holder) {
    const h = suspect.holder;
    const kept = [
      h.count !== undefined ? `${h.count} objects` : '',
      h.retainedBytes !== undefined ? formatBytes(h.retainedBytes) : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `- Held by: **${escapeMarkdown(h.kind)} ${codeSpan(h.name)}**${kept ? ` (${kept})` : ''}${
        h.location ? ` at ${escapeMarkdown(where(h.location.url, h.location.line))}` : ''
      }`,
    );
    if (h.path.length) {
      lines.push('');
      lines.push('**Retainer path** (from a GC root):');
      lines.push('');
      for (const line of codeBlock(h.path.map((step, i) => `${'  '.repeat(i)}${i ? '└ ' : ''}${step}`)))
        lines.push(line);
    }
  }
  if (suspect.stack.length) {
    lines.push('');
    lines.push('**Allocation stack** (top first):');
    lines.push('');
    const frames = suspect.stack.map((frame) => {
      const folded = frame.foldedFrom ? `   [via ${frame.foldedFrom}]` : '';
      return `at ${frame.functionName || '(anonymous)'} (${where(frame.url, frame.line)}${frame.column ? `:${frame.column}` : ''})${folded}`;
    });
    for (const line of codeBlock(frames)) lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}
