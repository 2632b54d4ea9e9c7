// package.json's contributions and the extension's code must agree: every command registered is
// contributed (and the reverse), menus point at real commands, activation is narrow.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
  main: string;
  activationEvents: string[];
  contributes: {
    commands: Array<{ command: string; title: string; category?: string; icon?: string }>;
    menus: Record<string, Array<{ command: string; when?: string }>>;
    views: Record<string, Array<{ id: string; type?: string }>>;
    configuration: { properties: Record<string, { scope?: string }> };
    debuggers: Array<{
      type: string;
      configurationSnippets: Array<{ label: string; body: Record<string, unknown> }>;
      variables?: Record<string, string>;
    }>;
  };
};

function registeredCommands(): Set<string> {
  const dir = path.join(repo, 'src/extension');
  const ids = new Set<string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/registerCommand\(\s*'([^']+)'/g)) ids.add(m[1]!);
      }
    }
  };
  walk(dir);
  return ids;
}

describe('extension manifest', () => {
  const contributed = new Set(pkg.contributes.commands.map((c) => c.command));

  it('keeps the Prometheus endpoints a user-level setting (a workspace cannot redirect credentials)', () => {
    assert.equal(
      pkg.contributes.configuration.properties['heapscope.prometheus.endpoints']?.scope,
      'application',
    );
  });

  it('contributes every command the extension registers, and registers every contributed one', () => {
    const registered = registeredCommands();
    for (const id of registered) assert.ok(contributed.has(id), `${id} registered but not contributed`);
    for (const id of contributed) assert.ok(registered.has(id), `${id} contributed but not registered`);
  });

  it('titles commands under the Heapscope category, with icons for those in the view title bar', () => {
    const inTitle = new Set((pkg.contributes.menus['view/title'] ?? []).map((m) => m.command));
    for (const c of pkg.contributes.commands) {
      assert.equal(c.category, 'Heapscope', c.command);
      if (inTitle.has(c.command)) assert.match(c.icon ?? '', /^\$\([a-z-]+\)$/, c.command);
    }
    for (const menu of Object.values(pkg.contributes.menus))
      for (const m of menu) assert.ok(contributed.has(m.command), m.command);
  });

  it('activates only on a Node debug session or its own debug type (commands and view are implicit)', () => {
    assert.equal(pkg.main, './dist/extension.js');
    for (const e of pkg.activationEvents)
      assert.match(e, /^onDebugResolve:(pwa-node|node|node-terminal|heapscope)$/, e);
    assert.ok(!pkg.activationEvents.includes('*'));
  });

  it('puts the webview view in the Run and Debug container and offers the "Memory: api server" snippet', () => {
    assert.deepEqual(
      pkg.contributes.views.debug?.find((v) => v.id === 'heapscope.debugView')?.type,
      'webview',
    );
    const dbg = pkg.contributes.debuggers.find((d) => d.type === 'heapscope');
    assert.ok(dbg);
    const snippet = dbg.configurationSnippets.find((s) => s.body.name === 'Memory: api server');
    assert.ok(snippet);
    assert.equal(snippet.body.type, 'heapscope');
    assert.equal(dbg.variables?.pickProcess, 'heapscope.pickProcess');
  });
});
