// Process labels and the editor's processes, on tables of argv and parent pids.
import { strict as assert } from 'node:assert';
import {
  describeNodeProcesses,
  editorRoles,
  processLabel,
  scriptOf,
} from '../../../src/core/inspector/processes';

describe('process labels', () => {
  it('names the script relative to the working directory, with its first arguments', () => {
    const table: Array<[string[], string | undefined, string]> = [
      [['/usr/bin/node', '/srv/api/server.js', '--port', '3000'], '/srv/api', 'server.js --port 3000'],
      [['node', 'dist/main.js'], '/srv/api', 'dist/main.js'],
      [['node', '--inspect=9229', '-r', 'ts-node/register', 'src/app.ts'], '/w', 'src/app.ts'],
      [
        ['node', '--require', '/x/preflight.cjs', '--import', 'file:///x/loader.mjs', 'test/run.ts'],
        '/w',
        'test/run.ts',
      ],
      [['node', '/elsewhere/tool.js'], '/srv/api', '/elsewhere/tool.js'],
      [['node', 'a.js', '1', '2', '3', '4'], '/w', 'a.js 1 2 3 …'],
      [['node', '-e', 'setInterval(()=>{},1)'], '/w', 'node -e …'],
      [['node'], '/w', 'node (no script)'],
      [['node', '--', 'x.js', '--flag'], undefined, 'x.js --flag'],
      [['node', 'tsx', '-e', '\nconsole.log(1)\n'], '/w', 'tsx -e console.log(1)'],
    ];
    for (const [argv, cwd, label] of table) assert.equal(processLabel(argv, cwd), label, argv.join(' '));
    assert.deepEqual(scriptOf(['node', '--max-old-space-size', '4096', 'big.js']), {
      script: 'big.js',
      args: [],
    });
  });

  it('marks the editor by arguments and ancestry, and stops at a shell', () => {
    const cs = '/usr/lib/code-server';
    const entries = [
      { pid: 10, ppid: 1, argv: [`${cs}/lib/node`, `${cs}/out/node/entry`] },
      {
        pid: 11,
        ppid: 10,
        argv: [`${cs}/lib/node`, `${cs}/lib/vscode/out/bootstrap-fork`, '--type=extensionHost'],
      },
      {
        pid: 12,
        ppid: 10,
        argv: [`${cs}/lib/node`, `${cs}/lib/vscode/out/bootstrap-fork`, '--type=fileWatcher'],
      },
      {
        pid: 13,
        ppid: 11,
        argv: [
          `${cs}/lib/node`,
          '/x/json-language-features/server/dist/node/jsonServerMain',
          '--node-ipc',
          '--clientProcessId=11',
        ],
      },
      {
        pid: 14,
        ppid: 11,
        argv: ['/usr/bin/node', '/x/typescript/lib/tsserver.js', '--serverMode', 'partialSemantic'],
      },
      { pid: 15, ppid: 11, argv: ['/usr/bin/node', '/x/typescript/lib/typingsInstaller.js'] },
      { pid: 16, ppid: 11, argv: ['/usr/bin/node', '/home/u/.ext/helper.js'] },
      {
        pid: 20,
        ppid: 10,
        argv: [`${cs}/lib/node`, `${cs}/lib/vscode/out/bootstrap-fork`, '--type=ptyHost'],
      },
      { pid: 21, ppid: 20, argv: ['/bin/bash', '--init-file', 'x'] },
      { pid: 22, ppid: 21, argv: ['/usr/bin/node', 'server.js'] },
      {
        pid: 30,
        ppid: 1,
        argv: ['/home/u/.vscode-server/bin/abc/node', '/home/u/.vscode-server/bin/abc/out/server-main.js'],
      },
    ];
    const roles = editorRoles(entries);
    assert.equal(roles.get(10), 'VS Code server');
    assert.equal(roles.get(11), 'extension host');
    assert.equal(roles.get(12), 'file watcher');
    assert.equal(roles.get(13), 'language server');
    assert.equal(roles.get(14), 'TypeScript server');
    assert.equal(roles.get(15), 'TypeScript server');
    assert.equal(roles.get(16), 'started by the extension host');
    assert.equal(roles.get(20), 'terminal host');
    assert.equal(roles.get(21), undefined, 'a shell is the user’s');
    assert.equal(roles.get(22), undefined, 'what runs in the terminal is the user’s');
    assert.equal(roles.get(30), 'VS Code server');
    const described = describeNodeProcesses(entries, new Map([[22, '/home/u/api']]), 0);
    assert.deepEqual(
      described.filter((p) => !p.editorRole).map((p) => [p.pid, p.label, p.cwd]),
      [[22, 'server.js', '/home/u/api']],
    );
  });
});
