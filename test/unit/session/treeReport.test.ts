// The report's view of a process tree: suspects of the leaking process first, each naming its pid;
// one entry per process with its role, its own verdict and when it came and went.
import { strict as assert } from 'node:assert';
import { memberLabel, mergeTreeSuspects, processReports } from '../../../src/core/session/treeReport';
import type { ReportV1, Suspect, TrendVerdict } from '../../../src/core/types';

function suspect(functionName: string): Suspect {
  return {
    rank: 1,
    kind: 'heap',
    functionName,
    url: 'file:///app/a.js',
    line: 1,
    column: 1,
    liveBytes: 1000,
    growthBytesPerMinute: 100,
    stack: [],
  };
}

const leak: TrendVerdict = {
  verdict: 'leak',
  growth: { heapBytesPerMinute: 5, externalBytesPerMinute: 0, confidence: 0.9 },
  reason: 'Rises.',
};

describe('session/treeReport: processes and suspects of a launched tree', () => {
  it('orders suspects: leaking process first, then running ones, then ended ones; renumbers, names the pid', () => {
    const merged = mergeTreeSuspects([
      { pid: 1, ended: true, suspects: [suspect('old')] },
      { pid: 2, suspects: [suspect('flat')] },
      { pid: 3, verdict: leak, suspects: [suspect('culprit'), suspect('second')] },
    ]);
    assert.deepEqual(
      merged.map((s) => [s.rank, s.pid, s.functionName]),
      [
        [1, 3, 'culprit'],
        [2, 3, 'second'],
        [3, 2, 'flat'],
        [4, 1, 'old'],
      ],
    );
  });

  it('one entry per process, wrappers without a verdict, times from the start of the session', () => {
    const own = {
      verdict: 'leak',
      reason: 'Rises.',
      growth: leak.growth,
      samples: 30,
      isolates: undefined,
    } as unknown as ReportV1;
    const suspects = mergeTreeSuspects([{ pid: 11, verdict: leak, suspects: [suspect('culprit')] }]);
    const entries = processReports(
      [
        {
          identity: {
            pid: 10,
            ppid: 1,
            argv: ['node', '/npm-cli.js', 'run', 'start', '--token=abc'],
            execArgv: [],
          },
          role: 'wrapper',
          wrapper: 'npm',
          startedAtMs: 1_000,
        },
        {
          identity: { pid: 11, ppid: 10, argv: ['node', '/app/server.js'], execArgv: [] },
          role: 'app',
          startedAtMs: 1_200,
          endedAtMs: 31_000,
          report: own,
        },
      ],
      1_000,
      suspects,
    );
    assert.deepEqual(entries[0], {
      pid: 10,
      ppid: 1,
      command: ['node', '/npm-cli.js', 'run', 'start', '--token=[redacted]'],
      role: 'wrapper',
      wrapper: 'npm',
      samples: 0,
      startedAtSeconds: 0,
      suspects: 0,
    });
    assert.equal(entries[1].verdict, 'leak');
    assert.equal(entries[1].samples, 30);
    assert.equal(entries[1].startedAtSeconds, 0.2);
    assert.equal(entries[1].endedAtSeconds, 30);
    assert.equal(entries[1].suspects, 1);
    assert.equal(
      memberLabel({ pid: 11, argv: ['node', '/app/server.js'], execArgv: [] }),
      'pid 11 (node server.js)',
    );
  });
});
