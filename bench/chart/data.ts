// Synthetic but realistic session data for the chart benchmark: a slow leak with GC sawtooth, RSS
// above heapTotal, occasional spikes (which the decimation must keep), one major GC a minute.
import type { GcEvent, MemorySample, Suspect, TrendVerdict } from '../../src/core/types';

const MB = 1024 * 1024;

export function sampleAt(i: number, startMs: number): MemorySample {
  const t = startMs + i * 1000;
  const leak = i * 2 * 1024; // 2 KB/s
  const saw = ((i % 60) / 60) * 12 * MB;
  const spike = i % 3607 === 0 ? 40 * MB : 0;
  const heapUsed = 30 * MB + leak + saw + spike;
  const heapTotal = heapUsed + 8 * MB + (i % 300) * 1024;
  return {
    timeMs: t,
    heapUsedBytes: heapUsed,
    heapTotalBytes: heapTotal,
    rssBytes: heapTotal + 45 * MB,
    externalBytes: 3 * MB + (i % 120) * 8 * 1024,
    arrayBuffersBytes: 1 * MB + (i % 90) * 4 * 1024,
  };
}

export function samples(count: number, startMs: number): MemorySample[] {
  return Array.from({ length: count }, (_, i) => sampleAt(i, startMs));
}

export function gcEvents(count: number, startMs: number): GcEvent[] {
  const out: GcEvent[] = [];
  for (let i = 59; i < count; i += 60) {
    out.push({
      timeMs: startMs + i * 1000 + 500,
      kind: 'major',
      durationMs: 4,
      heapUsedAfterBytes: 30 * MB + i * 2 * 1024,
    });
  }
  return out;
}

export const verdict: TrendVerdict = {
  verdict: 'leak',
  growth: { heapBytesPerMinute: 120 * 1024, externalBytesPerMinute: 0, confidence: 0.97 },
  minutesToHeapLimit: 31_000,
  reason: 'The post-GC heap floor rose steadily by 120 KB/min over 24 h (R² 0.99).',
};

export const suspects: Suspect[] = [
  {
    rank: 1,
    kind: 'heap',
    functionName: 'recordSession',
    url: 'file:///work/examples/leaky-service/server.js',
    line: 11,
    column: 19,
    liveBytes: 14 * MB,
    growthBytesPerMinute: 2.1 * MB,
    stack: [],
    holder: { kind: 'Array', name: 'sessionLog', path: ['(global)', 'sessionLog'] },
  },
  {
    rank: 2,
    kind: 'heap',
    functionName: 'handle',
    url: 'file:///work/examples/leaky-service/server.js',
    line: 24,
    column: 3,
    liveBytes: 300 * 1024,
    growthBytesPerMinute: 12 * 1024,
    stack: [],
  },
];
