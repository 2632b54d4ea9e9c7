// Cell contents shared by the explorer's tables: sizes, distances, percentages and source links.
// Text only (textContent): names and URLs come from the snapshot.
import type { ObjectRow, SourceFrame } from '../../src/shared/explorerProtocol';
import { formatBytes, shortFile } from '../format';
import { send } from './rpc';

const COUNT = new Intl.NumberFormat('en-US');

export function count(n: number): string {
  return COUNT.format(n);
}

export function signedCount(n: number): string {
  return n > 0 ? `+${count(n)}` : count(n);
}

export function bytes(n: number): string {
  return formatBytes(n);
}

export function signedBytes(n: number): string {
  return n > 0 ? `+${formatBytes(n)}` : formatBytes(n);
}

export function distance(d: number): string {
  return d < 0 ? '–' : String(d);
}

let totalBytes = 1;
export function setTotalBytes(total: number): void {
  totalBytes = Math.max(1, total);
}

export function percent(n: number): string {
  const p = (n / totalBytes) * 100;
  return p >= 10 ? `${p.toFixed(0)} %` : `${p.toFixed(1)} %`;
}

/** A link that opens the code at the frame (Enter or click); plain text when it has no file. */
export function sourceLink(frame: SourceFrame | undefined): Node {
  const span = document.createElement('span');
  span.className = 'source';
  if (!frame || !frame.url) return span;
  const link = document.createElement('a');
  link.className = 'source-link';
  link.href = '#';
  link.textContent = `${shortFile(frame.url)}:${frame.line}`;
  link.title = `${frame.functionName ? `${frame.functionName} — ` : ''}${frame.url}:${frame.line}:${frame.column}`;
  link.addEventListener('click', (e) => {
    e.preventDefault();
    e.stopPropagation();
    openFrame(frame);
  });
  span.append(link);
  return span;
}

export function openFrame(frame: SourceFrame): void {
  send({ type: 'openSource', url: frame.url, line: frame.line, column: frame.column });
}

/** `Label @id`, with the detached and unreachable marks DevTools shows. */
export function objectLabel(row: ObjectRow): Node {
  const span = document.createElement('span');
  span.className = 'object-label';
  // The label shrinks with an ellipsis; the @id after it stays whole (users search by it).
  const label = document.createElement('span');
  label.className = 'label-text';
  label.textContent = row.label;
  span.append(label);
  const id = document.createElement('span');
  id.className = 'object-id';
  id.textContent = ` @${row.id}`;
  span.append(id);
  if (row.detached) span.append(tag('detached'));
  if (row.distance < 0) span.append(tag('unreachable'));
  return span;
}

export function tag(text: string): HTMLElement {
  const span = document.createElement('span');
  span.className = `tag tag-${text}`;
  span.textContent = text;
  return span;
}
