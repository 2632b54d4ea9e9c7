// Chart benchmark (issue 7): loads 86,400 points × 5 series (24 h at 1 Hz) into the real webview
// bundle in Debian's Chromium, then follows live data and prints the redraw time per frame (goal
// <= 16 ms); then measures the extension host side's CPU while a session idles at 1 Hz (goal <= 1 %):
// the engine's MemorySession against a real idle Node target, plus the work of turning its events
// into webview messages. Writes bench/results/chart.json.
//   npx tsx bench/chart/run.ts [--points 86400] [--follow-seconds 5] [--cpu-seconds 30]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { writeBenchPage } from '../../test/e2e/standalonePage';
import { gcEvents, samples, suspects, verdict } from './data';
import { measureHostCpuInChild } from './hostCpu';

const root = resolve(__dirname, '../..');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const round = (v: number): number => Math.round(v * 100) / 100;

async function chartBench(points: number, followSeconds: number): Promise<Record<string, unknown>> {
  if (!existsSync(resolve(root, 'dist/webview/main.js')))
    execFileSync('npm', ['run', '-s', 'build'], { cwd: root });
  const standalone = writeBenchPage(root);
  const url = standalone.url;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 }, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    // tsx compiles the functions passed to page.evaluate with esbuild's keepNames helper.
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        ((window as unknown as { cspViolations: string[] }).cspViolations ??= []).push(
          `${e.violatedDirective} ${e.blockedURI}`,
        );
      });
    });
    await page.goto(url);
    await page.waitForFunction(() => Boolean(window.heapscope));
    const startMs = Date.now() - points * 1000;
    const init = {
      type: 'init',
      sessionId: 'bench',
      name: 'bench: 24 h at 1 Hz',
      readOnly: false,
      status: { state: 'observing' },
      samples: samples(points, startMs),
      gcEvents: gcEvents(points, startMs),
      verdict,
      suspects,
      allocationSampling: true,
    };
    const loadMs = await page.evaluate(async (message) => {
      const t0 = performance.now();
      window.postMessage(message, '*');
      await new Promise((r) => setTimeout(r, 0));
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return performance.now() - t0;
    }, init);
    const loaded = await page.evaluate(() => window.heapscope!.store.length);

    // Follow live data: one new reading per animation frame (60× faster than a real session, the
    // worst case for redraws), for followSeconds; every frame redraws the whole 24 h decimated.
    const follow = await page.evaluate(
      async ({ seconds, first, startMs: s0 }) => {
        const h = window.heapscope!;
        h.chart.stats.redrawMs.length = 0;
        const frameGaps: number[] = [];
        let i = first;
        let last = performance.now();
        const end = last + seconds * 1000;
        const MB = 1024 * 1024;
        await new Promise<void>((done) => {
          const tick = (now: number): void => {
            frameGaps.push(now - last);
            last = now;
            const heapUsed = 30 * MB + i * 2048 + ((i % 60) / 60) * 12 * MB;
            window.postMessage(
              {
                type: 'samples',
                sessionId: 'bench',
                samples: [
                  {
                    timeMs: s0 + i * 1000,
                    heapUsedBytes: heapUsed,
                    heapTotalBytes: heapUsed + 8 * MB,
                    rssBytes: heapUsed + 53 * MB,
                    externalBytes: 3 * MB,
                    arrayBuffersBytes: MB,
                  },
                ],
              },
              '*',
            );
            i++;
            if (now < end) requestAnimationFrame(tick);
            else done();
          };
          requestAnimationFrame(tick);
        });
        return {
          redrawMs: [...h.chart.stats.redrawMs],
          frameGapsMs: frameGaps.slice(1),
          drawnPoints: h.chart.stats.drawnPoints,
          appended: i - first,
          total: h.store.length,
        };
      },
      { seconds: followSeconds, first: points, startMs },
    );
    const reference = await referenceRawUplot(browser, points, followSeconds, startMs);
    mkdirSync(resolve(root, 'test-output/chart'), { recursive: true });
    await page.screenshot({ path: resolve(root, 'test-output/chart/bench.png') });
    const csp = await page.evaluate(
      () => (window as unknown as { cspViolations?: string[] }).cspViolations ?? [],
    );
    return {
      points,
      series: 5,
      loadAndFirstDrawMs: round(loadMs),
      loadedPoints: loaded,
      liveAppends: follow.appended,
      pointsAfterFollow: follow.total,
      drawnPointsPerSeries: follow.drawnPoints,
      redrawMsMedian: round(quantile(follow.redrawMs, 0.5)),
      redrawMsP95: round(quantile(follow.redrawMs, 0.95)),
      redrawMsMax: round(Math.max(...follow.redrawMs)),
      redraws: follow.redrawMs.length,
      frameIntervalMsMedian: round(quantile(follow.frameGapsMs, 0.5)),
      frameIntervalMsP95: round(quantile(follow.frameGapsMs, 0.95)),
      goalRedrawMs: 16,
      reference,
      redrawSpeedupVsRawUplot: round(reference.redrawMsMedian / quantile(follow.redrawMs, 0.5)),
      cspViolations: csp,
      pageErrors: errors,
    };
  } finally {
    await browser.close();
    standalone.dispose();
  }
}

/**
 * The reference in the same run: plain uPlot given all 86,400 points of every series on each new
 * reading (no decimation), on a page of the same size. Its redraw time is what the decimation saves.
 */
async function referenceRawUplot(
  browser: import('playwright-core').Browser,
  points: number,
  followSeconds: number,
  startMs: number,
): Promise<{ redrawMsMedian: number; redrawMsP95: number; redraws: number }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 700 }, deviceScaleFactor: 1 });
  try {
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    await page.setContent('<!DOCTYPE html><html><body><div id="plot"></div></body></html>');
    await page.addStyleTag({ path: resolve(root, 'node_modules/uplot/dist/uPlot.min.css') });
    await page.addScriptTag({ path: resolve(root, 'node_modules/uplot/dist/uPlot.iife.min.js') });
    const data = samples(points, startMs);
    const cols = [
      data.map((d) => d.timeMs),
      data.map((d) => d.heapUsedBytes),
      data.map((d) => d.heapTotalBytes),
      data.map((d) => d.rssBytes),
      data.map((d) => d.externalBytes),
      data.map((d) => d.arrayBuffersBytes),
    ];
    const times = await page.evaluate(
      async ({ cols, seconds }) => {
        type U = { setData(d: number[][]): void };
        const UPlot = (window as unknown as { uPlot: new (o: unknown, d: number[][], el: HTMLElement) => U })
          .uPlot;
        const plot = new UPlot(
          {
            width: 1200,
            height: 600,
            ms: 1,
            series: [{}, ...[1, 2, 3, 4, 5].map(() => ({ stroke: '#3794ff', points: { show: false } }))],
          },
          cols,
          document.getElementById('plot')!,
        );
        const out: number[] = [];
        const end = performance.now() + seconds * 1000;
        let t = cols[0]![cols[0]!.length - 1]!;
        while (performance.now() < end) {
          t += 1000;
          for (let s = 0; s < cols.length; s++) cols[s]!.push(s === 0 ? t : cols[s]![cols[s]!.length - 1]!);
          const t0 = performance.now();
          plot.setData(cols); // uPlot redraws in a microtask
          await Promise.resolve();
          out.push(performance.now() - t0);
          await new Promise((r) => requestAnimationFrame(r));
        }
        return out;
      },
      { cols, seconds: followSeconds },
    );
    return {
      redrawMsMedian: round(quantile(times, 0.5)),
      redrawMsP95: round(quantile(times, 0.95)),
      redraws: times.length,
    };
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  const points = arg('points', 86_400);
  const followSeconds = arg('follow-seconds', 5);
  const cpuSeconds = arg('cpu-seconds', 30);
  const chart = await chartBench(points, followSeconds);
  console.log(
    `chart: ${points} points × 5 series loaded + first draw in ${chart.loadAndFirstDrawMs} ms; ` +
      `following live: redraw median ${chart.redrawMsMedian} ms, p95 ${chart.redrawMsP95} ms, ` +
      `max ${chart.redrawMsMax} ms over ${chart.redraws} frames (goal <= 16 ms); ` +
      `${chart.drawnPointsPerSeries} points drawn per series; reference (plain uPlot, all points) ` +
      `median ${(chart.reference as { redrawMsMedian: number }).redrawMsMedian} ms = ` +
      `${chart.redrawSpeedupVsRawUplot}× slower`,
  );
  // The default session (allocation sampling on, its profile read every 5 s), then without the
  // sampler: the difference is what reading allocation sites costs. The goal is about a session that
  // idles, so the window starts 15 s in: the first profile reads resolve every script once (source
  // maps, Node's internals), a one-off cost also shown on its own (window starting 3 s in).
  const host = measureHostCpuInChild(cpuSeconds, true, STEADY_AFTER_MS);
  const hostFirstSeconds = measureHostCpuInChild(cpuSeconds, true, 3000);
  const hostWithoutSampling = measureHostCpuInChild(cpuSeconds, false, STEADY_AFTER_MS);
  for (const [label, h] of [
    ['allocation sampling on, steady state', host],
    ['allocation sampling on, from 3 s after the start', hostFirstSeconds],
    ['allocation sampling off, steady state', hostWithoutSampling],
  ] as const) {
    console.log(
      h.measured
        ? `extension host side (${label}): ${h.cpuPercent} % of one core while a session idles at 1 Hz over ${h.seconds} s ` +
            `(${h.samples} samples, ${h.messages} webview messages; goal <= 1 %)`
        : `extension host side: not measured (${h.reason})`,
    );
  }
  const result = {
    bench: 'chart',
    timestamp: new Date().toISOString(),
    // The machine is shared: the load average says how much the figures are disturbed.
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
    cpus: cpus().length,
    chart,
    host,
    hostFirstSeconds,
    hostWithoutSampling,
  };
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results/chart.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log('wrote bench/results/chart.json');
}

const STEADY_AFTER_MS = 15_000;

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
