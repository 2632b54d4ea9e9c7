// Replays dumps written by probe.ts (--dump) through the analysis, for tuning without a target:
//   npx tsx bench/accuracy/replay.ts <dump.json> [...]
import { readFileSync } from 'node:fs';
import { analyzeTrendDetail, rankSuspects } from '../../src/core/leak';
import type { AllocationProfileReading, GcEvent, MemorySample } from '../../src/core/types';

async function main(): Promise<void> {
  for (const file of process.argv.slice(2)) {
    const dump = JSON.parse(readFileSync(file, 'utf8')) as {
      samples: MemorySample[];
      gcEvents: GcEvent[];
      readings: AllocationProfileReading[];
    };
    const detail = analyzeTrendDetail(dump);
    console.log(
      `== ${file}: ${detail.verdict.verdict} (${detail.verdict.growth.confidence}) ${detail.verdict.reason}`,
    );
    const suspects = await rankSuspects(
      dump.readings,
      { getScriptSource: async () => undefined },
      { limit: 3 },
    );
    for (const s of suspects) {
      console.log(
        `  #${s.rank} ${s.kind} ${s.functionName} ${s.url.split('/').pop()}:${s.line} ${Math.round(s.growthBytesPerMinute / 1024)} KiB/min${s.note ? ` — ${s.note}` : ''}`,
      );
    }
  }
}

void main();
