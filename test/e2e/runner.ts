// Runs the end-to-end tests (test/e2e/*.e2e.ts) one after another against the code-server that
// test/e2e/run.sh started, each in a fresh browser page, and writes test-output/e2e/summary.json
// (run.sh prints the closing "e2e: N passed, M failed" line from it).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eEnv, launchBrowser, log, type E2eEnv } from './vscode';
import type { Browser } from 'playwright-core';
import { leakSessionTest } from './leakSession.e2e';
import { debugSessionTest } from './debugSession.e2e';
import { viewInteractionsTest } from './viewInteractions.e2e';
import { treeViewTest } from './treeView.e2e';
import { snapshotViewTest } from './snapshotView.e2e';
import { prometheusHistoryTest } from './prometheusHistory.e2e';
import { stopSessionTest } from './stopSession.e2e';
import { lmToolsTest } from './lmTools.e2e';
import { flameGraphTest } from './flameGraph.e2e';
import { explorerProvisionalTest } from './explorerProvisional.e2e';

export interface E2eTest {
  name: string;
  run(context: { browser: Browser; env: E2eEnv }): Promise<void>;
}

const tests: E2eTest[] = [
  viewInteractionsTest,
  treeViewTest,
  leakSessionTest,
  debugSessionTest,
  snapshotViewTest,
  explorerProvisionalTest,
  prometheusHistoryTest,
  stopSessionTest,
  lmToolsTest,
  flameGraphTest,
];

async function main(): Promise<void> {
  const env = e2eEnv();
  const only = process.env.HEAPSCOPE_E2E_ONLY;
  const selected = only ? tests.filter((t) => t.name.includes(only)) : tests;
  const results: Array<{ name: string; ok: boolean; seconds: number; error?: string }> = [];
  const browser = await launchBrowser();
  try {
    for (const test of selected) {
      const t0 = Date.now();
      log(`── ${test.name}`);
      try {
        await test.run({ browser, env });
        const seconds = (Date.now() - t0) / 1000;
        results.push({ name: test.name, ok: true, seconds });
        console.log(`  ✔ ${test.name} (${seconds.toFixed(1)} s)`);
      } catch (error) {
        const seconds = (Date.now() - t0) / 1000;
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        results.push({ name: test.name, ok: false, seconds, error: message });
        console.log(`  ✘ ${test.name} (${seconds.toFixed(1)} s)\n${message}`);
      }
    }
  } finally {
    await browser.close();
  }
  const passed = results.filter((r) => r.ok).length;
  writeFileSync(
    join(env.out, 'summary.json'),
    `${JSON.stringify({ passed, failed: results.length - passed, results }, null, 2)}\n`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
