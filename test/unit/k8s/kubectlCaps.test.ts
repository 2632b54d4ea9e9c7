// kubectl's output is read into memory: stderr keeps only its end (its last lines say what went
// wrong), stdout is capped. A script stands in for kubectl (a real process writing real pipes).
import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_STDERR_CHARS, runKubectl } from '../../../src/core/k8s/kubectl';

describe('k8s: kubectl output caps', function () {
  this.timeout(20_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hs-kubectl-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps only the end of a runaway stderr', async () => {
    const script = join(dir, 'kubectl');
    writeFileSync(
      script,
      '#!/bin/sh\nhead -c 2000000 /dev/zero | tr "\\0" "e" >&2\necho >&2\necho "error: the last line" >&2\nexit 1\n',
    );
    chmodSync(script, 0o755);
    const result = await runKubectl(['get', 'pods'], { kubectlPath: script, timeoutMs: 15_000 });
    assert.equal(result.exitCode, 1);
    assert.ok(result.stderr.length <= MAX_STDERR_CHARS, `${result.stderr.length} chars kept`);
    assert.match(result.stderr, /error: the last line\n$/);
  });
});
