// A stand-alone page (used by the view-interaction test and bench/chart) that loads the real webview
// bundle (dist/webview/main.js + main.css) under the same strict CSP the extension host sets, with a handful of VS Code theme variables, so the live view
// can be driven in Chromium by a fake host that posts the protocol's messages to the window.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const DARK: Record<string, string> = {
  '--vscode-font-family': 'system-ui, sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-foreground': '#cccccc',
  '--vscode-editor-foreground': '#d4d4d4',
  '--vscode-editor-background': '#1e1e1e',
  '--vscode-sideBar-background': '#181818',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-editorWidget-border': '#454545',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-badge-background': '#616161',
  '--vscode-badge-foreground': '#f8f8f8',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-list-hoverBackground': '#2a2d2e',
};

/**
 * Writes the page into a temp folder; `url` is its file:// URL, `dispose` removes the folder.
 * `bundle`: the webview bundle to load (`main`: the live view, `explorer`: the snapshot explorer).
 */
export function writeBenchPage(
  repoRoot: string,
  bundle: 'main' | 'explorer' = 'main',
): { url: string; dispose: () => void } {
  const dist = resolve(repoRoot, 'dist/webview');
  const nonce = 'bench0nonce0bench0nonce';
  const style = Object.entries(DARK)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src file: 'nonce-${nonce}'; font-src file:; img-src file: data:`;
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8" />
<meta http-equiv="Content-Security-Policy" content="${csp}" />
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${pathToFileURL(join(dist, 'codicon.css')).href}" />
<link rel="stylesheet" href="${pathToFileURL(join(dist, `${bundle}.css`)).href}" />
<style nonce="${nonce}">html { ${style} }</style>
</head>
<body class="vscode-dark" data-nonce="${nonce}" data-view="panel">
<div id="app"></div>
<script nonce="${nonce}" src="${pathToFileURL(join(dist, `${bundle}.js`)).href}"></script>
</body></html>`;
  const dir = mkdtempSync(join(tmpdir(), 'heapscope-chart-'));
  const file = join(dir, 'index.html');
  writeFileSync(file, html);
  return { url: pathToFileURL(file).href, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
