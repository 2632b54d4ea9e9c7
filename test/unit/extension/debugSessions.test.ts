import { strict as assert } from 'node:assert';
import {
  cdpProxyUrl,
  debugSessionLabel,
  jsDebugProfileEnded,
  jsDebugProfileMessage,
  ownsNodeTarget,
  type DebugSessionLike,
} from '../../../src/extension/debugSessions';

const parent: DebugSessionLike = {
  id: 'p',
  type: 'pwa-node',
  name: 'api server',
  configuration: { type: 'pwa-node', request: 'launch' },
};
const child: DebugSessionLike = {
  id: 'c',
  type: 'pwa-node',
  name: 'server.js [4242]',
  configuration: { type: 'pwa-node', request: 'launch', __pendingTargetId: 't1' },
  parentSession: parent,
};

describe('extension debug session filtering', () => {
  it("follows js-debug's concrete child sessions, not the logical parent", () => {
    assert.equal(ownsNodeTarget(parent), false);
    assert.equal(ownsNodeTarget(child), true);
    for (const type of ['node', 'node-terminal', 'pwa-node']) {
      assert.equal(ownsNodeTarget({ ...child, type }), true, type);
    }
  });

  it('ignores browsers, extension hosts and other debuggers', () => {
    for (const type of ['pwa-chrome', 'pwa-extensionHost', 'python', 'heapscope']) {
      assert.equal(ownsNodeTarget({ ...child, type }), false, type);
    }
  });

  it('labels a child with its launch.json entry', () => {
    assert.equal(debugSessionLabel(child), 'api server › server.js [4242]');
    assert.equal(debugSessionLabel(parent), 'api server');
    assert.equal(debugSessionLabel({ ...child, name: 'api server' }), 'api server');
    // As js-debug 1.117 names its child sessions (seen in code-server).
    assert.equal(
      debugSessionLabel({ ...child, name: 'server.js [11665] « api server' }),
      'api server › server.js [11665]',
    );
  });

  it("recognises js-debug's own heap profile and snapshot events", () => {
    assert.match(
      jsDebugProfileMessage({ event: 'profileStarted', body: { type: 'heap', file: '/x' } }) ?? '',
      /heap profile is running/,
    );
    assert.match(
      jsDebugProfileMessage({ event: 'profileStarted', body: { type: 'memory' } }) ?? '',
      /heap snapshot/,
    );
    assert.equal(jsDebugProfileMessage({ event: 'profileStarted', body: { type: 'cpu' } }), undefined);
    assert.equal(jsDebugProfileMessage({ event: 'output', body: {} }), undefined);
    assert.equal(
      jsDebugProfileEnded({ event: 'profilerStateUpdate', body: { label: '', running: false } }),
      true,
    );
    assert.equal(
      jsDebugProfileEnded({ event: 'profilerStateUpdate', body: { label: 'x', running: true } }),
      false,
    );
  });

  it('builds the proxy URL chrome-remote-interface connects to', () => {
    assert.equal(cdpProxyUrl({ host: '127.0.0.1', port: 5555, path: '/abc' }), 'ws://127.0.0.1:5555/abc');
    assert.equal(cdpProxyUrl({ host: '::1', port: 1, path: 'x' }), 'ws://[::1]:1/x');
  });
});
