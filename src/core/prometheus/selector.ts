// `--selector` for a namespace scan: label matchers added to every container query, as PromQL
// (`container="app", pod=~"checkout-.*"`) or in the kubectl-like short form (`container=app`). Each
// value is decoded and quoted again here, so nothing but matchers can ever reach the query text.
import { HeapscopeError } from '../errors';

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^,"'\s]*))\s*$/;

/** Splits on commas outside quotes. */
function splitMatchers(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      current += c;
      if (c === '\\' && i + 1 < text.length) current += text[++i];
      else if (c === quote) quote = undefined;
    } else if (c === '"') {
      quote = c;
      current += c;
    } else if (c === ',') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  if (quote) throw new HeapscopeError('usage', `--selector has an unclosed quote: ${text}`);
  parts.push(current);
  return parts.filter((p) => p.trim() !== '');
}

/** PromQL matchers (without braces), e.g. `container="app", pod=~"api-.*"`; '' for no selector. */
export function parseLabelSelector(text: string | undefined): string {
  if (!text || !text.trim()) return '';
  const inner = text.trim().replace(/^\{([\s\S]*)\}$/, '$1');
  return splitMatchers(inner)
    .map((part) => {
      const m = MATCHER.exec(part);
      if (!m)
        throw new HeapscopeError(
          'usage',
          `--selector: "${part.trim()}" is not a label matcher like container="app" or pod=~"api-.*".`,
        );
      const [, name, op, quoted, bare] = m;
      if (name === 'namespace')
        throw new HeapscopeError(
          'usage',
          '--selector: give the namespace with --namespace, not in the selector.',
        );
      let value = bare ?? '';
      if (quoted !== undefined) {
        try {
          value = JSON.parse(`"${quoted}"`) as string;
        } catch {
          throw new HeapscopeError(
            'usage',
            `--selector: the value in "${part.trim()}" has an escape PromQL does not know (write \\\\ for a backslash).`,
          );
        }
      }
      // Re-encoded from the decoded value: the query text can hold nothing but this one string.
      return `${name}${op}${JSON.stringify(value)}`;
    })
    .join(', ');
}
