import { strict as assert } from 'node:assert';
import type { Suspect } from '../../../src/core/types';
import { suspectFocus } from '../../../src/extension/explorer/suspectFocus';

function suspect(functionName: string, holderPath?: string[]): Suspect {
  return {
    rank: 1,
    kind: 'heap',
    functionName,
    url: 'file:///app/leaker.js',
    line: 3,
    column: 1,
    liveBytes: 1e6,
    growthBytesPerMinute: 1e5,
    stack: [],
    ...(holderPath ? { holder: { kind: 'Map', name: 'cache', path: holderPath } } : {}),
  };
}

describe('the explorer focus of a suspect', () => {
  it("names the held objects' class from the holder's last path step", () => {
    const s = suspect('handle', ['(GC roots)', 'Map cache → 1200 × LeakyRecord']);
    assert.deepEqual(suspectFocus(s), { className: 'LeakyRecord', path: false });
    assert.deepEqual(suspectFocus(s, true), { className: 'LeakyRecord', path: true, via: 'cache' });
  });

  it('names the holder for the path only when its name is one variable or property', () => {
    const s = suspect('handle', ['Map → 3 × Item']);
    for (const name of ['_events.data', '[3]', '(a variable of keep)']) {
      s.holder!.name = name;
      assert.deepEqual(suspectFocus(s, true), { className: 'Item', path: true });
    }
    s.holder!.name = '$cache_2';
    assert.deepEqual(suspectFocus(s, true), { className: 'Item', path: true, via: '$cache_2' });
  });

  it("falls back to the function's name (a constructor), and gives up on an anonymous one", () => {
    assert.deepEqual(suspectFocus(suspect('Session')), { className: 'Session', path: false });
    assert.deepEqual(suspectFocus(suspect('Store.add'), true), { className: 'add', path: false });
    assert.equal(suspectFocus(suspect('(anonymous)')), undefined);
    assert.equal(suspectFocus(suspect('')), undefined);
  });
});
