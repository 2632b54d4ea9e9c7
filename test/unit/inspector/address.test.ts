import { strict as assert } from 'node:assert';
import { isHeapscopeError } from '../../../src/core/errors';
import {
  inspectorLaunchPlan,
  isLoopbackAddress,
  isLoopbackHost,
  loopbackWarning,
  parseInspectorAddress,
} from '../../../src/core/inspector';

describe('inspector addresses', () => {
  it('reads ws URLs, host:port and bare ports', () => {
    assert.deepEqual(parseInspectorAddress('9229'), { host: '127.0.0.1', port: 9229 });
    assert.deepEqual(parseInspectorAddress('localhost:9300'), { host: 'localhost', port: 9300 });
    assert.deepEqual(parseInspectorAddress('[::1]:9229'), { host: '[::1]', port: 9229 });
    const ws = parseInspectorAddress('ws://127.0.0.1:4000/abc-def');
    assert.equal(ws.port, 4000);
    assert.equal(ws.url, 'ws://127.0.0.1:4000/abc-def');
  });

  it('rejects what is not an address with a usage error', () => {
    for (const bad of ['', 'abc', '99999', 'host:', ':9229x', 'http//x']) {
      assert.throws(
        () => parseInspectorAddress(bad),
        (e: unknown) => isHeapscopeError(e, 'usage'),
        bad,
      );
    }
  });

  it('warns for anything that is not loopback', () => {
    assert.ok(
      isLoopbackHost('127.0.0.1') &&
        isLoopbackHost('localhost') &&
        isLoopbackHost('[::1]') &&
        isLoopbackHost('127.0.1.1'),
    );
    assert.equal(loopbackWarning('127.0.0.1'), undefined);
    assert.match(loopbackWarning('0.0.0.0') ?? '', /not on loopback/);
    assert.match(loopbackWarning('10.0.0.5') ?? '', /WARNING/);
  });

  it('has one loopback rule, for hosts and for every address form', () => {
    const table: Array<[string, boolean]> = [
      ['127.0.0.1', true],
      ['127.1.2.3', true],
      ['localhost', true],
      ['LOCALHOST', true],
      ['::1', true],
      ['[::1]', true],
      ['::ffff:127.0.0.1', true],
      ['0.0.0.0', false],
      ['127.0.0.256', false],
      ['127.evil.example', false],
      ['localhost.evil.example', false],
      ['10.0.0.5', false],
      ['::', false],
      ['api.internal', false],
    ];
    for (const [host, loopback] of table) assert.equal(isLoopbackHost(host), loopback, host);
    const addresses: Array<[string, boolean]> = [
      ['9229', true],
      ['127.0.0.1:9229', true],
      ['localhost:9230', true],
      ['[::1]:9229', true],
      ['ws://127.0.0.1:9229/abc', true],
      ['ws://[::1]:9229/abc', true],
      ['10.0.0.5:9229', false],
      ['0.0.0.0:9229', false],
      ['ws://api.internal:9229/x', false],
      ['ws://127.evil.example:9229/x', false],
      ['not an address', false],
    ];
    for (const [address, loopback] of addresses) assert.equal(isLoopbackAddress(address), loopback, address);
  });

  it('puts --inspect in argv for node and in NODE_OPTIONS otherwise', () => {
    const node = inspectorLaunchPlan('node', ['--inspect=0.0.0.0:9229', 'app.js'], {
      NODE_OPTIONS: '--max-old-space-size=100',
    });
    assert.deepEqual(node.args, ['--inspect=127.0.0.1:0', 'app.js']);
    assert.equal(node.env.NODE_OPTIONS, '--max-old-space-size=100');
    const npm = inspectorLaunchPlan('npm', ['run', 'start'], { NODE_OPTIONS: '--enable-source-maps' });
    assert.deepEqual(npm.args, ['run', 'start']);
    assert.equal(npm.env.NODE_OPTIONS, '--enable-source-maps --inspect=127.0.0.1:0');
  });
});
