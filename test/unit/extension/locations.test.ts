import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { samePath, scriptUrlToPath, shortLocation } from '../../../src/extension/locations';

describe('extension locations', () => {
  const root = path.resolve('/work/project');
  const files = new Set([path.join(root, 'src/cache.ts'), path.join(root, 'server.js')]);
  const exists = (f: string): boolean => files.has(f);

  it('maps file URLs and absolute paths as they are', () => {
    assert.equal(
      scriptUrlToPath(pathToFileURL(path.join(root, 'src/cache.ts')).href, [root], exists),
      path.join(root, 'src/cache.ts'),
    );
    assert.equal(scriptUrlToPath('/somewhere/else.js', [root], exists), '/somewhere/else.js');
    assert.equal(scriptUrlToPath('file:///a%20b/c.js', [root], exists), '/a b/c.js');
  });

  it('resolves bundler and relative URLs against the workspace roots, only when the file exists', () => {
    assert.equal(
      scriptUrlToPath('webpack:///./src/cache.ts', ['/nowhere', root], exists),
      path.join(root, 'src/cache.ts'),
    );
    assert.equal(scriptUrlToPath('server.js', [root], exists), path.join(root, 'server.js'));
    assert.equal(scriptUrlToPath('src/missing.ts', [root], exists), undefined);
  });

  it('refuses what is not a file', () => {
    for (const url of [
      '',
      'node:internal/timers',
      'evalmachine.<anonymous>',
      'https://x/y.js',
      '<anonymous>',
      'data:text/javascript,1',
    ]) {
      assert.equal(
        scriptUrlToPath(url, [root], () => true),
        undefined,
        url,
      );
    }
  });

  it('compares and shortens paths', () => {
    assert.ok(samePath('/a/b/../c.js', '/a/c.js', false));
    assert.ok(!samePath('/a/C.js', '/a/c.js', false));
    assert.ok(samePath('/a/C.js', '/a/c.js', true));
    assert.equal(
      shortLocation(path.join(root, 'src/cache.ts'), 42, [root]),
      path.join('src', 'cache.ts') + ':42',
    );
    assert.equal(shortLocation('/elsewhere/x.js', 3, [root]), 'x.js:3');
  });
});
