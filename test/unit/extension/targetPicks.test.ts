import { strict as assert } from 'node:assert';
import {
  buildTargetPicks,
  isLoopbackAddress,
  npmScripts,
  validateInspectorAddress,
} from '../../../src/extension/targetPicks';

describe('extension start quick pick', () => {
  const picks = buildTargetPicks({
    inspectors: [
      {
        webSocketDebuggerUrl: 'ws://127.0.0.1:9229/abc',
        host: '127.0.0.1',
        port: 9229,
        title: 'server.js',
        pid: 100,
      },
    ],
    processes: [
      { pid: 100, command: 'node server.js' },
      { pid: 200, command: 'node worker.js' },
      { pid: 300, command: 'node extension-host' },
    ],
    debugSessions: [{ id: 'd1', label: 'api server › server.js' }],
    selfPid: 300,
    k8sAvailable: true,
  });

  it('lists debug sessions, inspectors, processes, then launch, pod and URL entries', () => {
    const kinds = picks.filter((p) => p.kind !== 'separator').map((p) => p.kind);
    assert.deepEqual(kinds, [
      'debug-session',
      'inspector',
      'process',
      'launch-script',
      'launch-npm',
      'k8s',
      'url',
    ]);
  });

  it('does not offer a process twice (its inspector already listens) nor the extension host itself', () => {
    const processes = picks.filter((p) => p.kind === 'process');
    assert.equal(processes.length, 1);
    assert.equal(processes[0]!.description, 'pid 200');
  });

  it('warns what SIGUSR1 does on every process entry', () => {
    const p = picks.find((x) => x.kind === 'process');
    assert.ok(
      p && 'detail' in p && /SIGUSR1/.test(p.detail ?? '') && /until the process exits/.test(p.detail ?? ''),
    );
  });

  it("labels a process by what it runs and hides the editor's own behind a Show all entry", () => {
    const processes = [
      {
        pid: 10,
        command: '/usr/bin/node /home/u/api/server.js --port 3000',
        label: 'server.js --port 3000',
        cwd: '/home/u/api',
      },
      {
        pid: 11,
        command: '/opt/code/node .../jsonServerMain --node-ipc',
        label: 'jsonServerMain --node-ipc',
        editorRole: 'language server',
      },
      {
        pid: 12,
        command: '/opt/code/node .../tsserver.js',
        label: 'tsserver.js',
        editorRole: 'TypeScript server',
      },
    ];
    const hidden = buildTargetPicks({ inspectors: [], processes, debugSessions: [], k8sAvailable: false });
    const shown = hidden.filter((p) => p.kind === 'process');
    assert.deepEqual(
      shown.map((p) => p.label),
      ['$(server-process) server.js --port 3000'],
    );
    assert.match((shown[0] as { detail: string }).detail, /^\/home\/u\/api · /);
    const showAll = hidden.find((p) => p.kind === 'show-all-processes');
    assert.ok(showAll && /2 of the editor's own/.test(showAll.description));
    const all = buildTargetPicks({
      inspectors: [],
      processes,
      debugSessions: [],
      k8sAvailable: false,
      showAllProcesses: true,
    });
    assert.equal(all.filter((p) => p.kind === 'process').length, 3);
    assert.ok(!all.some((p) => p.kind === 'show-all-processes'));
    assert.ok(all.some((p) => p.kind === 'process' && /pid 11 · language server/.test(p.description)));
  });

  it('attaches inspectors by their ws URL', () => {
    const i = picks.find((x) => x.kind === 'inspector');
    assert.ok(i && 'target' in i);
    assert.deepEqual(i.target, { kind: 'attach', address: 'ws://127.0.0.1:9229/abc' });
  });

  it('hides the pod entry when the k8s face is absent', () => {
    const without = buildTargetPicks({
      inspectors: [],
      processes: [],
      debugSessions: [],
      k8sAvailable: false,
    });
    assert.ok(!without.some((p) => p.kind === 'k8s'));
    assert.ok(without.some((p) => p.kind === 'url'));
  });

  it('validates typed inspector addresses', () => {
    for (const ok of ['9229', '127.0.0.1:9229', 'localhost:9230', 'ws://127.0.0.1:9229/0f2c', '[::1]:9229']) {
      assert.equal(validateInspectorAddress(ok), undefined, ok);
    }
    for (const bad of ['', 'hello world', '70000', 'http//x']) assert.ok(validateInspectorAddress(bad), bad);
  });

  it('knows loopback from the network', () => {
    assert.ok(isLoopbackAddress('9229'));
    assert.ok(isLoopbackAddress('ws://127.0.0.1:9229/x'));
    assert.ok(isLoopbackAddress('localhost:9229'));
    assert.ok(isLoopbackAddress('[::1]:9229'));
    assert.ok(!isLoopbackAddress('10.0.0.5:9229'));
    assert.ok(!isLoopbackAddress('ws://api.internal:9229/x'));
  });

  it('reads npm scripts and survives broken package.json', () => {
    assert.deepEqual(npmScripts('{"scripts":{"start":"node server.js","n":3}}'), [
      { name: 'start', command: 'node server.js' },
    ]);
    assert.deepEqual(npmScripts('{oops'), []);
  });
});
