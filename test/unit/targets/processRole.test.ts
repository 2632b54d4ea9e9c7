// Which process of a launched tree does the work: wrappers by their command line, supervisors by
// having Node children in the tree, apps otherwise; and the identity answer is parsed defensively.
import { strict as assert } from 'node:assert';
import {
  processRoles,
  shortCommand,
  toProcessIdentity,
  wrapperKind,
  type ProcessIdentity,
} from '../../../src/core/targets/processRole';

function id(pid: number, ppid: number, argv: string[], execArgv: string[] = []): ProcessIdentity {
  return { pid, ppid, argv: ['/usr/bin/node', ...argv], execArgv };
}

describe('targets/processRole: wrappers, supervisors and apps of a process tree', () => {
  it('recognises the wrappers that only start a program and wait', () => {
    const cases: Array<[ProcessIdentity, string | undefined]> = [
      [id(1, 0, ['/usr/lib/node_modules/npm/bin/npm-cli.js', 'run', 'start']), 'npm'],
      [id(1, 0, ['/usr/bin/npm', 'run', 'start']), 'npm'],
      [id(1, 0, ['/usr/lib/node_modules/npm/bin/npx-cli.js', 'tsx', 'app.ts']), 'npx'],
      [id(1, 0, ['/app/node_modules/tsx/dist/cli.mjs', 'watch', 'src/server.ts']), 'tsx'],
      [id(1, 0, ['/app/node_modules/nodemon/bin/nodemon.js', 'server.js']), 'nodemon'],
      [id(1, 0, ['/app/server.js'], ['--inspect=127.0.0.1:0', '--watch']), 'node --watch'],
      [id(1, 0, ['/app/server.js'], ['--watch-path=src']), 'node --watch'],
      [id(1, 0, ['C:\\app\\node_modules\\tsx\\dist\\cli.mjs', 'app.ts']), 'tsx'],
      // Programs: a script named like a tool is not the tool.
      [id(1, 0, ['/app/server.js']), undefined],
      [id(1, 0, ['/app/npm-stats.js']), undefined],
      [id(1, 0, ['/app/src/app.ts'], ['--require', '/app/node_modules/tsx/dist/preflight.cjs']), undefined],
      [id(1, 0, []), undefined],
    ];
    for (const [identity, kind] of cases) assert.equal(wrapperKind(identity), kind, identity.argv.join(' '));
  });

  it('a parent of other tree members supervises; wrappers stay wrappers; the rest are apps', () => {
    const roles = processRoles([
      id(10, 1, ['/usr/lib/node_modules/npm/bin/npm-cli.js', 'start']),
      // npm → sh → the primary: the primary's parent (sh) is not a member.
      id(12, 11, ['/app/cluster.js']),
      id(13, 12, ['/app/cluster.js']),
      id(14, 12, ['/app/cluster.js']),
    ]);
    assert.deepEqual(
      [...roles.entries()],
      [
        [10, 'wrapper'],
        [12, 'supervisor'],
        [13, 'app'],
        [14, 'app'],
      ],
    );
    assert.deepEqual([...processRoles([id(5, 1, ['/app/server.js'])]).values()], ['app']);
  });

  it('parses only a well-formed identity answer', () => {
    assert.deepEqual(
      toProcessIdentity([42, 7, ['/usr/bin/node', '/app/a.js'], ['--watch'], 'node', 'v22.0.0']),
      {
        pid: 42,
        ppid: 7,
        argv: ['/usr/bin/node', '/app/a.js'],
        execArgv: ['--watch'],
        title: 'node',
        nodeVersion: 'v22.0.0',
      },
    );
    assert.equal(toProcessIdentity(null), undefined);
    assert.equal(toProcessIdentity(['42', 7]), undefined);
    assert.deepEqual(toProcessIdentity([42, 7, 'not-an-array', [1, '--x']])?.execArgv, ['--x']);
  });

  it('names a process by its script and first arguments', () => {
    assert.equal(
      shortCommand(['/usr/bin/node', '/app/server.js', '--port', '3000', 'x']),
      'node server.js --port 3000 …',
    );
    assert.equal(shortCommand(['/usr/bin/node', '/app/w.js'], ['--watch']), 'node --watch w.js');
    assert.equal(shortCommand(['/usr/bin/node']), 'node');
  });
});
