// No credentials in files, logs or messages: one set of redaction functions, and the writers that
// must use them (meta.json, the report, describeError).
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError, HeapscopeError } from '../../src/core/errors';
import { REDACTED, redactArgs, redactTarget, redactText, redactUrl } from '../../src/core/redact';
import { buildReport } from '../../src/core/report';
import {
  META_FILE,
  RecordingWriter,
  RECORDING_FORMAT,
  RECORDING_VERSION,
} from '../../src/core/session/recording';
import type { TargetInfo } from '../../src/core/types';

const target: TargetInfo = {
  kind: 'launch',
  inspectorUrl: 'ws://admin:hunter2@127.0.0.1:9229/abc',
  command: [
    'node',
    'server.js',
    '--token=s3cr3t-token',
    '--password',
    'hunter2',
    'AWS_SECRET_ACCESS_KEY=AKIAXYZ',
    '--port',
    '3000',
  ],
};

function assertClean(text: string): void {
  for (const secret of ['hunter2', 's3cr3t-token', 'AKIAXYZ'])
    assert.ok(!text.includes(secret), `${secret} in ${text}`);
}

describe('redaction of credentials', () => {
  it('redacts secret-looking arguments, keeping their names and the rest of the command', () => {
    assert.deepEqual(redactArgs(target.command!), [
      'node',
      'server.js',
      `--token=${REDACTED}`,
      '--password',
      REDACTED,
      `AWS_SECRET_ACCESS_KEY=${REDACTED}`,
      '--port',
      '3000',
    ]);
    assert.deepEqual(
      redactArgs(['--api-key', 'k', '--no-auth', '--port', '1', 'DB_PASSWORD=x', 'GITHUB_TOKEN=y']),
      [
        '--api-key',
        REDACTED,
        '--no-auth',
        '--port',
        '1',
        `DB_PASSWORD=${REDACTED}`,
        `GITHUB_TOKEN=${REDACTED}`,
      ],
    );
    assert.deepEqual(redactArgs(['--db=postgres://app:pw@db:5432/x']), [
      `--db=postgres://${REDACTED}@db:5432/x`,
    ]);
  });

  it('redacts URL credentials, bearer tokens and token query parameters in text', () => {
    assert.equal(redactUrl('ws://u:p@127.0.0.1:9229/x'), 'ws://127.0.0.1:9229/x');
    const text = redactText(
      'connect ws://u:p@host:9229/x failed; Authorization: Bearer abc.def.ghi; see https://h/api?access_token=zzz&x=1',
    );
    assert.equal(
      text,
      `connect ws://${REDACTED}@host:9229/x failed; Authorization: Bearer ${REDACTED}; see https://h/api?access_token=${REDACTED}&x=1`,
    );
    assert.equal(
      redactText('heap grew by 3 MiB at http://127.0.0.1:9229'),
      'heap grew by 3 MiB at http://127.0.0.1:9229',
    );
  });

  it('keeps credentials out of error messages', () => {
    assertClean(
      describeError(
        new HeapscopeError('target-unreachable', 'Cannot reach ws://admin:hunter2@10.0.0.1:9229'),
      ),
    );
    assertClean(describeError('token Bearer hunter2hunter2'));
  });

  it('keeps credentials out of meta.json and the report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-redact-'));
    try {
      const writer = new RecordingWriter(dir, {
        format: RECORDING_FORMAT,
        version: RECORDING_VERSION,
        id: 'x',
        startedAt: new Date(0).toISOString(),
        target,
        options: { metricsIntervalMs: 1000, samplingIntervalBytes: 0, profileIntervalMs: 5000 },
      });
      writer.close();
      const meta = readFileSync(join(dir, META_FILE), 'utf8');
      assertClean(meta);
      assert.match(meta, /--port/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const report = buildReport({
      target,
      startedAtMs: 0,
      endedAtMs: 1000,
      samples: [],
      gcEvents: [],
      suspects: [],
    });
    assertClean(JSON.stringify(report));
    assert.deepEqual(redactTarget(target).command?.slice(0, 2), ['node', 'server.js']);
  });
});
