// The explorer's webview messages are checked before the host acts on them: a stale or hostile
// page gets its unknown messages ignored, never a query the worker does not know.
import { strict as assert } from 'node:assert';
import { parseExplorerIntent } from '../../../src/shared/explorerProtocol';

describe('explorer protocol', () => {
  it('accepts the intents the webview sends', () => {
    assert.deepEqual(parseExplorerIntent({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(
      parseExplorerIntent({ type: 'query', id: 3, query: { kind: 'objects', classIndex: 2 } }),
      {
        type: 'query',
        id: 3,
        query: { kind: 'objects', classIndex: 2 },
      },
    );
    assert.deepEqual(parseExplorerIntent({ type: 'openSource', url: 'file:///a.js', line: 3, column: 5 }), {
      type: 'openSource',
      url: 'file:///a.js',
      line: 3,
      column: 5,
    });
    assert.deepEqual(parseExplorerIntent({ type: 'pickBaseline', id: 9 }), { type: 'pickBaseline', id: 9 });
  });

  it('ignores unknown messages, unknown query kinds and malformed fields', () => {
    for (const raw of [
      null,
      'ready',
      [],
      { type: 'eval', code: '1' },
      { type: 'query', id: '1', query: { kind: 'info' } },
      { type: 'query', id: 1, query: { kind: 'readFile', file: '/etc/passwd' } },
      { type: 'query', id: 1 },
      { type: 'openSource', url: 42, line: 1 },
      { type: 'openSource', url: 'a.js' },
      { type: 'pickBaseline' },
    ])
      assert.equal(parseExplorerIntent(raw), undefined, JSON.stringify(raw));
  });
});
