import { strict as assert } from 'node:assert';
import {
  hugePageEnvironment,
  isSnapshotAnalysis,
  MIN_SNAPSHOT_BYTES,
  type Host,
} from '../../../src/cli/hugePages';

const BIG = MIN_SNAPSHOT_BYTES;

function host(overrides: Partial<Host> = {}): Host {
  return {
    platform: 'linux',
    env: { PATH: '/bin' },
    glibcVersion: () => '2.36',
    hugePageMode: () => 'always [madvise] never\n',
    fileBytes: (file) => (file.endsWith('.heapsnapshot') ? BIG : undefined),
    ...overrides,
  };
}

describe('huge pages for snapshot analyses', () => {
  it('relaunches summary, diff and retainers of large files with glibc huge pages', () => {
    for (const args of [
      ['summary', 'a.heapsnapshot'],
      ['diff', 'a.heapsnapshot', 'b.heapsnapshot', '--json', 'out.json'],
      ['retainers', 'a.heapsnapshot', '--id', '12'],
      ['summary', '--top', '0', 'a.heapsnapshot', '-q'],
    ]) {
      const env = hugePageEnvironment(args, host());
      assert.equal(env?.GLIBC_TUNABLES, 'glibc.malloc.hugetlb=1', args.join(' '));
      assert.equal(env?.PATH, '/bin', 'keeps the rest of the environment');
    }
  });

  it('adds to tunables already set', () => {
    const env = hugePageEnvironment(
      ['summary', 'a.heapsnapshot'],
      host({ env: { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' } }),
    );
    assert.equal(env?.GLIBC_TUNABLES, 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
  });

  it('starts the child without the extra CA certificates (it opens no connection)', () => {
    const env = hugePageEnvironment(
      ['summary', 'a.heapsnapshot'],
      host({ env: { PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' } }),
    );
    assert.equal(env?.GLIBC_TUNABLES, 'glibc.malloc.hugetlb=1');
    assert.equal('NODE_EXTRA_CA_CERTS' in (env ?? {}), false);
    assert.equal(env?.PATH, '/bin');
  });

  it('stays in one process where it does not pay or cannot work', () => {
    const cases: Array<[string, string[], Host]> = [
      ['other commands', ['check', '--', 'node', 'a.heapsnapshot'], host()],
      ['small files', ['summary', 'a.heapsnapshot'], host({ fileBytes: () => BIG - 1 })],
      ['missing files', ['summary', 'a.heapsnapshot'], host({ fileBytes: () => undefined })],
      ['not Linux', ['summary', 'a.heapsnapshot'], host({ platform: 'darwin' })],
      ['musl', ['summary', 'a.heapsnapshot'], host({ glibcVersion: () => undefined })],
      ['glibc before 2.35', ['summary', 'a.heapsnapshot'], host({ glibcVersion: () => '2.31' })],
      [
        'huge pages always on',
        ['summary', 'a.heapsnapshot'],
        host({ hugePageMode: () => '[always] madvise never' }),
      ],
      [
        'huge pages off',
        ['summary', 'a.heapsnapshot'],
        host({ hugePageMode: () => 'always madvise [never]' }),
      ],
      ['no huge pages', ['summary', 'a.heapsnapshot'], host({ hugePageMode: () => undefined })],
      ['already relaunched', ['summary', 'a.heapsnapshot'], host({ env: { HEAPSCOPE_RELAUNCHED: '42' } })],
      [
        'tunable set by the user',
        ['summary', 'a.heapsnapshot'],
        host({ env: { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' } }),
      ],
      ['turned off', ['summary', 'a.heapsnapshot'], host({ env: { HEAPSCOPE_HUGE_PAGES: '0' } })],
    ];
    for (const [why, args, h] of cases) assert.equal(hugePageEnvironment(args, h), undefined, why);
  });

  it('HEAPSCOPE_HUGE_PAGES=1 relaunches any snapshot command on Linux', () => {
    const forced = host({
      env: { HEAPSCOPE_HUGE_PAGES: '1' },
      fileBytes: () => 10,
      glibcVersion: () => undefined,
    });
    assert.ok(hugePageEnvironment(['summary', 'tiny.heapsnapshot'], forced));
    assert.equal(hugePageEnvironment(['check', 'x'], forced), undefined);
    assert.equal(hugePageEnvironment(['summary', 'x'], { ...forced, platform: 'win32' }), undefined);
  });

  it('tells the snapshot analyses (their own bundle) from the other commands', () => {
    for (const args of [
      ['summary', 'a'],
      ['-q', 'diff', 'a', 'b'],
      ['retainers', '--help'],
    ])
      assert.ok(isSnapshotAnalysis(args), args.join(' '));
    for (const args of [
      [],
      ['--help'],
      ['help', 'summary'],
      ['check', '--', 'node', 'summary'],
      ['snapshot', '--out', 'x'],
    ])
      assert.ok(!isSnapshotAnalysis(args), args.join(' '));
  });
});
