// Where a frame's code is when its URL is not a file here: what has no file at all (built-ins, eval),
// and which workspace paths a script from elsewhere (a container, CI, a bundler's URL) may be.
import { strict as assert } from 'node:assert';
import {
  describeNonFile,
  embeddedSourcePath,
  filesEndingWith,
  inPackages,
  pathSegments,
  pathTails,
  sameSource,
  tailGlob,
} from '../../../src/extension/sourceLookup';

describe('source lookup', () => {
  it('says what built-ins, eval code, data: and wasm scripts are', () => {
    assert.match(describeNonFile('node:internal/streams/readable')!, /part of Node\.js itself/);
    assert.match(describeNonFile('node:events')!, /built-in module/);
    assert.match(describeNonFile('internal/timers')!, /part of Node\.js itself/);
    for (const url of ['evalmachine.<anonymous>', '[eval]', '[eval]-wrapper', 'VM42', '[stdin]'])
      assert.match(describeNonFile(url)!, /compiled at run time/, url);
    assert.match(describeNonFile('data:text/javascript;base64,AAAA')!, /data: URL/);
    assert.match(describeNonFile('wasm://wasm/0012abcd')!, /WebAssembly/);
    assert.match(describeNonFile('')!, /native code/);
  });

  it('leaves paths and URLs that may be files to the search', () => {
    for (const url of [
      '/app/src/server.js',
      'file:///app/src/server.js',
      'webpack://my-app/./src/server.ts',
      'src/server.js',
      'C:\\app\\server.js',
      'http://localhost:3000/src/app.js',
      // A user's file named like a module is still a file.
      '/app/node_modules/express/lib/router/index.js',
    ])
      assert.equal(describeNonFile(url), undefined, url);
  });

  it('takes the path a URL names, whatever its form', () => {
    assert.deepEqual(pathSegments('/app/src/server.js'), ['app', 'src', 'server.js']);
    assert.deepEqual(pathSegments('file:///app/src/my%20server.js'), ['app', 'src', 'my server.js']);
    assert.deepEqual(pathSegments('C:\\build\\app\\server.js'), ['build', 'app', 'server.js']);
    assert.deepEqual(pathSegments('webpack:///./src/cache.ts'), ['src', 'cache.ts']);
    assert.deepEqual(pathSegments('webpack://my-app/./src/cache.ts?abcd'), ['my-app', 'src', 'cache.ts']);
    assert.deepEqual(pathSegments('http://localhost:3000/src/app.js?v=3'), ['src', 'app.js']);
    assert.deepEqual(pathSegments('../../src/visits.ts'), ['src', 'visits.ts']);
    assert.equal(pathSegments('/'), undefined);
  });

  it('tries the longest path tail first, down to the file name, at most five segments', () => {
    assert.deepEqual(pathTails('/app/src/server.js'), ['app/src/server.js', 'src/server.js', 'server.js']);
    assert.deepEqual(pathTails('/home/ci/work/repo/packages/api/src/server.js'), [
      'repo/packages/api/src/server.js',
      'packages/api/src/server.js',
      'api/src/server.js',
      'src/server.js',
      'server.js',
    ]);
    assert.deepEqual(pathTails(''), []);
  });

  it('matches a tail literally, at a segment boundary', () => {
    assert.equal(tailGlob('src/server.js'), '**/src/server.js');
    assert.equal(tailGlob('src/[id]/page{1}.js'), '**/src/[[]id[]]/page[{]1[}].js');
    const found = ['/ws/a/src/server.js', '/ws/mysrc/server.js', '/ws/src/server.js', '/ws/src/server.jsx'];
    assert.deepEqual(filesEndingWith(found, 'src/server.js'), ['/ws/src/server.js', '/ws/a/src/server.js']);
    assert.deepEqual(filesEndingWith(['src/server.js'], 'src/server.js'), ['src/server.js']);
    assert.deepEqual(filesEndingWith(['C:\\ws\\src\\server.js'], 'src/server.js'), [
      'C:\\ws\\src\\server.js',
    ]);
  });

  it('searches node_modules only for a path inside it', () => {
    assert.equal(inPackages('node_modules/express/lib/router.js'), true);
    assert.equal(inPackages('src/node_modules_helper.js'), false);
  });

  it('takes a workspace file for an embedded source only when the text is the same', () => {
    const embedded = 'export function f(): void {\n  g();\n}\n';
    assert.equal(sameSource(embedded, embedded), true);
    assert.equal(sameSource(embedded, `\uFEFF${embedded.replace(/\n/g, '\r\n')}\n\n`), true);
    assert.equal(sameSource(embedded, `// edited\n${embedded}`), false, 'a line added above moves the lines');
    assert.equal(sameSource(embedded, embedded.replace('g()', 'h()')), false);
  });

  it('shows an embedded source under its original path', () => {
    assert.equal(embeddedSourcePath('webpack://my-app/./src/cache.ts'), '/my-app/src/cache.ts');
    assert.equal(embeddedSourcePath('/build/app/src/visits.ts'), '/build/app/src/visits.ts');
    assert.equal(embeddedSourcePath('../../src/visits.ts'), '/src/visits.ts');
    assert.equal(embeddedSourcePath(''), '/source');
  });
});
