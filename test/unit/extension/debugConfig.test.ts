import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { isHeapscopeError } from '../../../src/core/errors';
import { targetFromDebugConfig } from '../../../src/extension/debugConfig';

const folder = path.resolve('/ws');

function usageError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => isHeapscopeError(e, 'usage') && pattern.test(e.message));
}

describe('extension launch.json (heapscope type)', () => {
  it('launches a program with node, relative to the folder', () => {
    assert.deepEqual(
      targetFromDebugConfig(
        { request: 'launch', program: 'server.js', args: ['--port', '0'], env: { A: '1', B: null } },
        folder,
      ),
      {
        kind: 'launch',
        command: 'node',
        args: [path.join(folder, 'server.js'), '--port', '0'],
        cwd: folder,
        env: { A: '1' },
      },
    );
  });

  it('runs a runtimeExecutable with runtimeArgs before the program', () => {
    assert.deepEqual(
      targetFromDebugConfig(
        { request: 'launch', runtimeExecutable: 'npm', runtimeArgs: ['run', 'start'], cwd: 'api' },
        folder,
      ),
      {
        kind: 'launch',
        command: 'npm',
        args: ['run', 'start'],
        cwd: path.join(folder, 'api'),
        env: undefined,
      },
    );
  });

  it('attaches by address, host+port, port, pid or pod', () => {
    assert.deepEqual(
      targetFromDebugConfig({ request: 'attach', address: 'ws://127.0.0.1:9229/abc' }, folder),
      { kind: 'attach', address: 'ws://127.0.0.1:9229/abc' },
    );
    assert.deepEqual(targetFromDebugConfig({ request: 'attach', address: '127.0.0.1', port: 9230 }, folder), {
      kind: 'attach',
      address: '127.0.0.1:9230',
    });
    assert.deepEqual(targetFromDebugConfig({ request: 'attach', port: 9231 }, folder), {
      kind: 'attach',
      address: '9231',
    });
    assert.deepEqual(targetFromDebugConfig({ request: 'attach', pid: '4242' }, folder), {
      kind: 'pid',
      pid: 4242,
    });
    assert.deepEqual(
      targetFromDebugConfig({ request: 'attach', pod: 'shop/api-0/app', kubeContext: 'kind' }, folder),
      {
        kind: 'k8s',
        namespace: 'shop',
        pod: 'api-0',
        container: 'app',
        context: 'kind',
      },
    );
    assert.deepEqual(targetFromDebugConfig({ request: 'attach', pod: 'shop/api-0' }, folder), {
      kind: 'k8s',
      namespace: 'shop',
      pod: 'api-0',
    });
  });

  it('says what is wrong with a bad entry', () => {
    usageError(() => targetFromDebugConfig({ request: 'launch' }, folder), /needs "program"/);
    usageError(() => targetFromDebugConfig({ request: 'attach' }, folder), /needs one of/);
    usageError(() => targetFromDebugConfig({ request: 'attach', pid: 1, port: 9229 }, folder), /only one of/);
    usageError(
      () => targetFromDebugConfig({ request: 'attach', pid: '${command:pickProcess}' }, folder),
      /"pid" must be a process id/,
    );
    usageError(() => targetFromDebugConfig({ request: 'attach', pod: 'justapod' }, folder), /namespace\/pod/);
    // A cloned repository's launch.json must not turn a name into a kubectl flag (--server sends the token elsewhere).
    usageError(
      () => targetFromDebugConfig({ request: 'attach', pod: 'shop/--server=evil.example:443' }, folder),
      /not a valid Kubernetes pod name/,
    );
    usageError(
      () =>
        targetFromDebugConfig(
          { request: 'attach', pod: 'shop/api-0', kubeContext: '--server=https://evil.example' },
          folder,
        ),
      /"kubeContext" must be a kubeconfig context name/,
    );
    usageError(
      () =>
        targetFromDebugConfig({ request: 'launch', program: 'x.js', args: [1 as unknown as string] }, folder),
      /array of strings/,
    );
    usageError(() => targetFromDebugConfig({ request: 'restart' }, folder), /"launch" or "attach"/);
  });
});
