// The webview shows text from the target, so its "open source" requests are not trusted: only files
// inside a workspace folder (symlinks followed) or sources the session itself reported are opened.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Suspect } from '../../../src/core/types';
import { reportedSourceUrls, sourceOpenAllowed } from '../../../src/extension/locations';

describe('extension: which sources the webview may open', () => {
  let dir: string;
  let root: string;
  let outside: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hs-open-'));
    root = path.join(dir, 'project');
    mkdirSync(path.join(root, 'src'), { recursive: true });
    writeFileSync(path.join(root, 'src', 'cache.ts'), 'export {}\n');
    outside = path.join(dir, 'secret.txt');
    writeFileSync(outside, 'id_rsa\n');
    symlinkSync(outside, path.join(root, 'src', 'link.ts'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const allowed = (file: string, reported: Set<string> = new Set(), url = pathToFileURL(file).href) =>
    sourceOpenAllowed(url, file, [root], reported, realpathSync);

  it('opens files inside the workspace', () => {
    assert.equal(allowed(path.join(root, 'src', 'cache.ts')), true);
  });

  it('refuses files outside it, and links inside it that lead out', () => {
    assert.equal(allowed(outside), false);
    assert.equal(allowed('/etc/passwd'), false);
    assert.equal(allowed(path.join(root, 'src', 'link.ts')), false);
    assert.equal(allowed(path.join(root, '..', 'secret.txt')), false);
  });

  it('opens a file outside the workspace when the session reported it', () => {
    const url = pathToFileURL(outside).href;
    const suspects = [
      {
        url: 'file:///app/server.js',
        stack: [{ functionName: 'f', url: 'file:///app/lib.js', line: 1, column: 1 }],
        holder: {
          kind: 'Map',
          name: 'cache',
          path: [],
          location: { functionName: '', url, line: 2, column: 1 },
        },
      },
    ] as unknown as Suspect[];
    const reported = reportedSourceUrls(suspects);
    assert.deepEqual([...reported].sort(), ['file:///app/lib.js', 'file:///app/server.js', url].sort());
    assert.equal(allowed(outside, reported, url), true);
    assert.equal(allowed('/etc/passwd', reported), false);
  });
});
