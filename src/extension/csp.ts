// The webview page and its Content-Security-Policy. Strict on purpose: the webview shows figures from a
// process that may be hostile (script URLs, function names), so nothing but our own bundle may run.
import { randomBytes } from 'node:crypto';

/** 128 random bits, base64 without padding-sensitive characters (CSP nonces are base64 tokens). */
export function makeNonce(): string {
  return randomBytes(16)
    .toString('base64')
    .replace(/[+/=]/g, (c) => ({ '+': '-', '/': '_', '=': '' })[c]!);
}

/**
 * default-src 'none' and only what the page needs: our script by nonce, our stylesheet from the
 * extension (cspSource) and nonce'd <style> elements, fonts (codicons) and images from the extension.
 * No 'unsafe-inline', no 'unsafe-eval': Lit's adopted stylesheets and uPlot's CSSOM styles need neither.
 */
export function buildCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

export interface WebviewPageInput {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  /** dist/webview/main.css when the build emitted one (esbuild writes CSS imports beside the JS). */
  styleUri?: string;
  /**
   * dist/webview/codicon.css when the webview build copies it (with codicon.ttf): vscode-elements'
   * <vscode-icon> finds it by the id "vscode-codicon-stylesheet".
   */
  codiconUri?: string;
  /** Extra data for the page's first paint, e.g. which view this is ("panel" | "sidebar"). */
  viewKind: 'panel' | 'sidebar';
  title: string;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function buildWebviewHtml(input: WebviewPageInput): string {
  const nonce = escapeAttribute(input.nonce);
  const codicons = input.codiconUri
    ? `\n    <link rel="stylesheet" id="vscode-codicon-stylesheet" href="${escapeAttribute(input.codiconUri)}" />`
    : '';
  const styles = input.styleUri
    ? `\n    <link rel="stylesheet" href="${escapeAttribute(input.styleUri)}" />`
    : '';
  const style = `${codicons}${styles}`;
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(buildCsp(input.cspSource, input.nonce))}" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>${escapeAttribute(input.title)}</title>${style}
  </head>
  <body data-nonce="${nonce}" data-view="${input.viewKind}">
    <div id="app"></div>
    <script nonce="${nonce}" src="${escapeAttribute(input.scriptUri)}"></script>
  </body>
</html>
`;
}
