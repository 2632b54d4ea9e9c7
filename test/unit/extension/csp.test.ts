import { strict as assert } from 'node:assert';
import { buildCsp, buildWebviewHtml, makeNonce } from '../../../src/extension/csp';

describe('extension webview CSP', () => {
  it('makes distinct nonces of 128 bits in CSP token characters', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]{22}$/);
  });

  it('denies everything but our script, styles, fonts and images', () => {
    const csp = buildCsp('https://x.vscode-cdn.net', 'N1');
    const directives = Object.fromEntries(
      csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]),
    );
    assert.deepEqual(directives['default-src'], ["'none'"]);
    assert.deepEqual(directives['script-src'], ["'nonce-N1'"]);
    assert.deepEqual(directives['style-src'], ['https://x.vscode-cdn.net', "'nonce-N1'"]);
    assert.ok(!csp.includes('unsafe-inline'));
    assert.ok(!csp.includes('unsafe-eval'));
    assert.ok(!/connect-src|\*/.test(csp));
  });

  it('puts the nonce on the one script and escapes attributes', () => {
    const html = buildWebviewHtml({
      cspSource: 'vscode-resource:',
      nonce: 'abc',
      scriptUri: 'https://file+.vscode-resource/dist/webview/main.js?a="b"',
      styleUri: 'https://file+.vscode-resource/dist/webview/main.css',
      viewKind: 'sidebar',
      title: 'Heapscope',
    });
    assert.equal((html.match(/<script /g) ?? []).length, 1);
    assert.match(
      html,
      /<script nonce="abc" src="https:\/\/file\+\.vscode-resource\/dist\/webview\/main\.js\?a=&quot;b&quot;">/,
    );
    assert.match(html, /<link rel="stylesheet" href="[^"]*main\.css" \/>/);
    assert.match(html, /data-nonce="abc" data-view="sidebar"/);
    assert.match(
      html,
      /http-equiv="Content-Security-Policy" content="default-src &#?[^"]*'none'|default-src 'none'/,
    );
    const withIcons = buildWebviewHtml({
      cspSource: 'c',
      nonce: 'n',
      scriptUri: 's',
      codiconUri: 'x/codicon.css',
      viewKind: 'panel',
      title: 't',
    });
    assert.match(
      withIcons,
      /<link rel="stylesheet" id="vscode-codicon-stylesheet" href="x\/codicon\.css" \/>/,
    );
    const noStyle = buildWebviewHtml({
      cspSource: 'c',
      nonce: 'n',
      scriptUri: 's',
      viewKind: 'panel',
      title: 't',
    });
    assert.ok(!noStyle.includes('<link'));
  });
});
