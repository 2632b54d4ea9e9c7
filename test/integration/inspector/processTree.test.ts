// The process picker's logic on a real process tree: a stand-in editor (a code-server-like server
// whose extension host starts a JSON language server, tsserver and a helper, beside a terminal
// shell running the user's app) and a program of the user's started on its own. The editor's
// processes and their children are marked; what runs in the terminal and the user's program are
// not, and each is labelled by its script relative to its working directory.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { listNodeProcesses } from '../../../src/core/inspector/processes';

/** A script that starts `children` (argv lists, `sh -c` allowed) and reports every pid as "ready". */
function script(children: string[][]): string {
  return `
const { spawn } = require('node:child_process');
process.stdout.write('ready ' + process.pid + '\\n');
for (const argv of ${JSON.stringify(children)}) {
  spawn(argv[0] === 'node' ? process.execPath : argv[0], argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
}
setInterval(() => {}, 1000);
`;
}

describe('process picker on a real process tree', function () {
  this.timeout(30_000);
  let root: string;
  const started: ChildProcess[] = [];

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'hs-tree-'));
  });
  after(() => {
    for (const child of started) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(root, { recursive: true, force: true });
  });

  function write(rel: string, text: string): string {
    const file = join(root, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  }

  function start(argv: string[], cwd: string, expectReady: number): Promise<ChildProcess> {
    const child = spawn(process.execPath, argv, {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    started.push(child);
    let text = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only: ${text}`)), 20_000);
      child.stdout!.on('data', (d: Buffer) => {
        text += d.toString();
        if ((text.match(/^ready /gm) ?? []).length >= expectReady) {
          clearTimeout(timer);
          resolve(child);
        }
      });
    });
  }

  it('marks the editor and its children, keeps the terminal and the user program, labels by script', async () => {
    const vscode = join(root, 'opt', 'code-server-9.9.9', 'lib', 'vscode');
    const project = join(root, 'project');
    mkdirSync(project, { recursive: true });
    write('project/app.js', script([]));
    write('project/tools/worker.js', script([]));
    const json = write(
      'opt/code-server-9.9.9/lib/vscode/extensions/json/server/dist/node/jsonServerMain.js',
      script([]),
    );
    const tsserver = write(
      'opt/code-server-9.9.9/lib/vscode/extensions/node_modules/typescript/lib/tsserver.js',
      script([]),
    );
    const helper = write('home/exts/some.ext/dist/helper.js', script([]));
    const host = write(
      'opt/code-server-9.9.9/lib/vscode/out/bootstrap-fork.js',
      script([
        ['node', json, '--node-ipc', '--clientProcessId=1'],
        ['node', tsserver, '--serverMode', 'partialSemantic'],
        ['node', helper],
      ]),
    );
    const server = write(
      'opt/code-server-9.9.9/lib/vscode/out/server-main.js',
      script([
        ['node', host, '--type=extensionHost'],
        ['sh', '-c', `cd ${project} && node tools/worker.js --queue jobs; true`],
      ]),
    );
    await start([server], vscode, 6);
    const user = await start(['app.js', '--port', '3000'], project, 1);

    const all = await listNodeProcesses();
    const byScript = (suffix: string) => {
      const found = all.find((p) => p.argv.some((a) => a.endsWith(suffix)));
      assert.ok(found, `${suffix} listed among ${all.length}`);
      return found;
    };
    assert.equal(byScript('server-main.js').editorRole, 'VS Code server');
    assert.equal(byScript('bootstrap-fork.js').editorRole, 'extension host');
    assert.equal(byScript('jsonServerMain.js').editorRole, 'language server');
    assert.equal(byScript('tsserver.js').editorRole, 'TypeScript server');
    assert.equal(byScript('helper.js').editorRole, 'started by the extension host');

    const worker = byScript('worker.js');
    assert.equal(worker.editorRole, undefined, 'what runs in a terminal shell is the user’s');
    assert.equal(worker.label, 'tools/worker.js --queue jobs');
    assert.equal(worker.cwd, project);

    const app = all.find((p) => p.pid === user.pid);
    assert.ok(app);
    assert.equal(app.editorRole, undefined);
    assert.equal(app.label, 'app.js --port 3000');
    assert.ok(!app.label.includes(process.execPath), 'never the node binary');
    assert.equal(app.cwd, project);
  });
});
