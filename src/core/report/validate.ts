// A runtime check of ReportV1, field by field, so tests (and tools reading reports) can tell a
// well-formed report from a drifted one. Returns every problem found, not just the first.
import type { ReportV1 } from '../types';

type Check = (value: unknown, path: string, problems: string[]) => void;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const num =
  (options: { min?: number; integer?: boolean } = {}): Check =>
  (v, path, problems) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${path}: expected a finite number`);
    else if (options.min !== undefined && v < options.min)
      problems.push(`${path}: expected >= ${options.min}`);
    else if (options.integer && !Number.isInteger(v)) problems.push(`${path}: expected an integer`);
  };
const str: Check = (v, path, problems) => {
  if (typeof v !== 'string') problems.push(`${path}: expected a string`);
};
const oneOf =
  (...values: string[]): Check =>
  (v, path, problems) => {
    if (typeof v !== 'string' || !values.includes(v))
      problems.push(`${path}: expected one of ${values.join(', ')}`);
  };
const arrayOf =
  (item: Check): Check =>
  (v, path, problems) => {
    if (!Array.isArray(v)) problems.push(`${path}: expected an array`);
    else v.forEach((x, i) => item(x, `${path}[${i}]`, problems));
  };
const shape =
  (required: Record<string, Check>, optional: Record<string, Check> = {}): Check =>
  (v, path, problems) => {
    if (!isObject(v)) {
      problems.push(`${path}: expected an object`);
      return;
    }
    for (const [key, check] of Object.entries(required)) {
      if (!(key in v) || v[key] === undefined) problems.push(`${path}.${key}: missing`);
      else check(v[key], `${path}.${key}`, problems);
    }
    for (const [key, check] of Object.entries(optional)) {
      if (v[key] !== undefined && v[key] !== null) check(v[key], `${path}.${key}`, problems);
    }
  };

const sourceFrame = shape(
  {
    functionName: str,
    url: str,
    line: num({ min: 0, integer: true }),
    column: num({ min: 0, integer: true }),
  },
  { foldedFrom: str },
);
const holder = shape(
  { kind: str, name: str, path: arrayOf(str) },
  { location: sourceFrame, count: num({ min: 0 }), retainedBytes: num({ min: 0 }) },
);
const seriesPoint: Check = (v, path, problems) => {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number'))
    problems.push(`${path}: expected [timeMs, bytes]`);
};
const suspect = shape(
  {
    rank: num({ min: 1, integer: true }),
    kind: oneOf('heap', 'external'),
    functionName: str,
    url: str,
    line: num({ min: 0, integer: true }),
    column: num({ min: 0, integer: true }),
    liveBytes: num({ min: 0 }),
    growthBytesPerMinute: num(),
    stack: arrayOf(sourceFrame),
  },
  {
    allocation: shape(
      {
        line: num({ min: 1, integer: true }),
        column: num({ min: 1, integer: true }),
        how: oneOf('callee-in-source'),
      },
      { callee: str },
    ),
    holder,
    note: str,
    series: arrayOf(seriesPoint),
    isolate: str,
    offHeap: shape({
      attributedGrowthBytesPerMinute: num({ min: 0 }),
      share: (v, path, problems) => {
        if (typeof v !== 'number' || v < 0 || v > 1) problems.push(`${path}: expected 0..1`);
      },
      method: oneOf('array-buffers-by-sampled-wrappers'),
    }),
    pid: num({ min: 1, integer: true }),
  },
);
const sample = shape(
  {
    timeMs: num(),
    rssBytes: num({ min: 0 }),
    heapTotalBytes: num({ min: 0 }),
    heapUsedBytes: num({ min: 0 }),
    externalBytes: num({ min: 0 }),
    arrayBuffersBytes: num({ min: 0 }),
  },
  { heapLimitBytes: num({ min: 0 }) },
);
const growth = shape({
  heapBytesPerMinute: num(),
  externalBytesPerMinute: num(),
  confidence: (v, path, problems) => {
    if (typeof v !== 'number' || v < 0 || v > 1) problems.push(`${path}: expected 0..1`);
  },
});
const share: Check = (v, path, problems) => {
  if (typeof v !== 'number' || v < 0 || v > 1) problems.push(`${path}: expected 0..1`);
};
const isolate = shape(
  {
    id: str,
    kind: oneOf('main', 'worker'),
    name: str,
    verdict: oneOf('leak', 'no-leak', 'inconclusive'),
    reason: str,
    growth,
    samples: num({ min: 0, integer: true }),
  },
  {
    url: str,
    lastSample: sample,
    ended: (v, path, problems) => typeof v !== 'boolean' && problems.push(`${path}: expected a boolean`),
  },
);
const processEntry = shape(
  {
    pid: num({ min: 1, integer: true }),
    command: arrayOf(str),
    role: oneOf('app', 'wrapper', 'supervisor'),
    samples: num({ min: 0, integer: true }),
    startedAtSeconds: num({ min: 0 }),
    suspects: num({ min: 0, integer: true }),
  },
  {
    ppid: num({ min: 0, integer: true }),
    wrapper: str,
    verdict: oneOf('leak', 'no-leak', 'inconclusive'),
    reason: str,
    growth,
    lastSample: sample,
    endedAtSeconds: num({ min: 0 }),
    isolates: arrayOf(isolate),
  },
);
const restart = shape(
  { atSeconds: num({ min: 0 }), endedPid: num({ min: 1, integer: true }) },
  { nextPid: num({ min: 1, integer: true }), gapSeconds: num({ min: 0 }) },
);
const target = shape(
  { kind: oneOf('launch', 'attach', 'pid', 'k8s', 'debug-session', 'prometheus', 'recording') },
  {
    inspectorUrl: str,
    pid: num({ integer: true }),
    command: arrayOf(str),
    title: str,
    nodeVersion: str,
    pod: str,
  },
);
const report = shape(
  {
    schema: (v, path, problems) => {
      if (v !== 1) problems.push(`${path}: expected 1`);
    },
    tool: shape({ name: oneOf('heapscope'), version: str }),
    target,
    startedAt: (v, path, problems) => {
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v)))
        problems.push(`${path}: expected an ISO date`);
    },
    durationSeconds: num({ min: 0 }),
    verdict: oneOf('leak', 'no-leak', 'inconclusive'),
    reason: str,
    growth: shape({
      heapBytesPerMinute: num(),
      externalBytesPerMinute: num(),
      confidence: (v, path, problems) => {
        if (typeof v !== 'number' || v < 0 || v > 1) problems.push(`${path}: expected 0..1`);
      },
    }),
    suspects: arrayOf(suspect),
    samples: num({ min: 0, integer: true }),
    gcEvents: num({ min: 0, integer: true }),
  },
  {
    minutesToHeapLimit: num({ min: 0 }),
    heapLimitBytes: num({ min: 0 }),
    targetExited: shape({ atSeconds: num({ min: 0 }), message: str }),
    snapshots: arrayOf(
      shape({ takenAtSeconds: num({ min: 0 }), pauseMs: num({ min: 0 }), purpose: str }, { file: str }),
    ),
    holdersSkipped: shape({ heapUsedBytes: num({ min: 0 }), limitBytes: num({ min: 0 }), reason: str }),
    lastSample: sample,
    verdictHistory: arrayOf(
      shape({
        atSeconds: num({ min: 0 }),
        verdict: oneOf('leak', 'no-leak', 'inconclusive'),
        confidence: (v, path, problems) => {
          if (typeof v !== 'number' || v < 0 || v > 1) problems.push(`${path}: expected 0..1`);
        },
        reason: str,
      }),
    ),
    isolates: arrayOf(isolate),
    explained: shape({}, { heapShare: share, externalShare: share, externalSampledShare: share }),
    processes: arrayOf(processEntry),
    restarts: arrayOf(restart),
  },
);

/** Problems with `value` as a ReportV1; empty when it is one. */
export function validateReport(value: unknown): string[] {
  const problems: string[] = [];
  report(value, 'report', problems);
  if (isObject(value) && Array.isArray(value.suspects)) {
    value.suspects.forEach((s, i) => {
      if (isObject(s) && s.rank !== i + 1) problems.push(`report.suspects[${i}].rank: expected ${i + 1}`);
    });
  }
  return problems;
}

export function isReportV1(value: unknown): value is ReportV1 {
  return validateReport(value).length === 0;
}
