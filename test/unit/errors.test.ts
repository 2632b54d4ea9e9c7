import { strict as assert } from 'node:assert';
import { HeapscopeError, describeError, isHeapscopeError } from '../../src/core/errors';

describe('errors', () => {
  it('carries a code and a readable message', () => {
    const error = new HeapscopeError('target-unreachable', 'Nothing listens on 127.0.0.1:9');
    assert.equal(isHeapscopeError(error, 'target-unreachable'), true);
    assert.equal(isHeapscopeError(error, 'usage'), false);
    assert.equal(describeError(error), 'Nothing listens on 127.0.0.1:9');
    assert.equal(describeError('plain'), 'plain');
  });
});
