// Test 5: the allocation flame graph. A Node process writes a sampling heap profile (.heapprofile)
// into the workspace; opening it from the file explorer's context menu shows the flame graph, whose widest program
// frame is the allocating function; a click zooms to it, its link opens the code at its line;
// search and the table view find it too. The profile of a tsc-compiled app shows its frames at the
// .ts lines, and a link opens the .ts file. A file cut in half shows its error in the editor. Then a
// live session on the workspace's example server: "Show live allocation flame graph" opens its
// sampling profile, and the graph follows as the session rewrites the file. Code that is not on
// this machine still opens: a bundle built elsewhere opens its map's embedded .ts, and a frame at a
// container's path opens the workspace file with the same path tail.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import type { Frame, Page } from 'playwright-core';
import { attachByUrl, startExample } from './example';
import type { E2eTest } from './runner';
import { explorerAction, expandFolder } from './snapshotView.e2e';
import {
  cursorLine,
  lastState,
  log,
  openWorkbench,
  pickQuickItem,
  runCommand,
  waitFor,
  waitForEditorAt,
} from './vscode';

const ALLOCATE = resolve(__dirname, '../fixtures/heapprofile/allocate.js');
const TS_APP = resolve(__dirname, '../fixtures/heapprofile/ts-app');
// The profiled loop calls rememberVisit 50,000 times: once V8 optimises the loop it may inline the
// function, and its samples then name the caller (in the bundle, up to all of them: the frame the
// test clicks was missing from a run). These tests are about the maps, not V8's inlining.
const NO_INLINING = ['--no-turbo-inlining', '--no-maglev-inlining'];

async function flameFrame(page: Page, fileName: string, phase: string): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    try {
      const found = await frame.evaluate(
        ([name, wanted]) =>
          document.getElementById('app')?.dataset.phase === wanted &&
          document.querySelector('.flame-app .title')?.textContent === name,
        [fileName, phase] as const,
      );
      if (found) return frame;
    } catch {
      // a frame being torn down
    }
  }
  return undefined;
}

async function liveFlame(
  page: Page,
  env: { workspace: string; stateFile: string; out: string },
): Promise<void> {
  const { child, url } = await startExample(env.workspace);
  const port = new URL(url).port;
  try {
    await attachByUrl(page, url);
    await waitFor(
      'the session to read samples',
      () => {
        const s = (lastState(env.stateFile)?.sessions ?? []).find((x) => x.name.includes(port));
        return s && s.samples >= 3 ? s : undefined;
      },
      60_000,
    );
    // The profile needs a few seconds of sampling: the command says so until there is one.
    const name = 'allocations-live.heapprofile';
    let frame: Frame | undefined;
    await waitFor(
      'the live flame graph',
      async () => {
        await runCommand(page, 'Heapscope: Show live allocation flame graph');
        frame = await waitFor('its editor', () => flameFrame(page, name, 'loaded'), 8_000, 250).catch(
          () => undefined,
        );
        return frame !== undefined;
      },
      60_000,
      1_000,
    );
    const first = await frame!.evaluate(() => document.querySelector('.flame-app .muted')?.textContent ?? '');
    log(`live flame graph: ${first}`);
    // The example keeps allocating: a rewrite of the file changes the totals on screen.
    const later = await waitFor(
      'the live flame graph to follow the session',
      async () => {
        const text = await frame!.evaluate(
          () => document.querySelector('.flame-app .muted')?.textContent ?? '',
        );
        return text !== first ? text : undefined;
      },
      45_000,
      500,
    );
    log(`live flame graph, later: ${later}`);
    // Growth colouring: offered for a live session (its suspects), every frame coloured by it.
    await frame!.locator('vscode-button.growth-toggle').click();
    const coloured = await waitFor(
      'frames coloured by growth',
      async () => {
        const figures = await frame!.evaluate(() => ({
          state: window.heapscopeFlame!,
          growing: document.querySelectorAll('.frame[class*="growth-"]:not(.growth-none)').length,
          notGrowing: document.querySelectorAll('.frame.growth-none').length,
        }));
        return figures.state.growth && figures.growing + figures.notGrowing === figures.state.drawn
          ? figures
          : undefined;
      },
      10_000,
      100,
    );
    log(
      `growth colouring: ${coloured.growing} frames over growing sites, ${coloured.notGrowing} not (${coloured.state.growthSites} suspects)`,
    );
    await page.screenshot({ path: join(env.out, 'flame-4-live.png') });
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * Opens `profile` (a profile of the TypeScript fixture) as a flame graph, selects rememberVisit's
 * frame, checks that its detail links visits.ts at `line`, and follows the link. Returns the graph.
 */
async function followRememberVisit(page: Page, profile: string, line: number, how: string): Promise<Frame> {
  await explorerAction(page, profile, 'Open heap profile as flame graph');
  const frame = await waitFor(
    `the flame graph of ${profile}`,
    () => flameFrame(page, profile, 'loaded'),
    60_000,
    250,
  );
  await frame.locator('.frame', { hasText: 'rememberVisit' }).first().click();
  const detail = await waitFor(
    'the detail of rememberVisit',
    async () => {
      const text = (await frame.locator('.detail').textContent()) ?? '';
      return text.includes('rememberVisit') ? text : undefined;
    },
    10_000,
    100,
  );
  if (!detail.includes(`visits.ts:${line}`))
    throw new Error(`the detail bar does not link visits.ts:${line} (${how}): ${detail}`);
  await frame.locator('.detail a.source-link').click();
  return frame;
}

/**
 * A profile of a TypeScript app compiled by tsc (sourceMap on), opened from disk: the frame shows
 * the .ts line, and its link opens the .ts file there.
 */
async function mappedFrameOpensTypeScript(page: Page, dir: string, out: string): Promise<void> {
  const compiled = join(dir, 'ts-app');
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', TS_APP, '--outDir', compiled],
    {
      stdio: 'pipe',
      timeout: 60_000,
    },
  );
  execFileSync(
    process.execPath,
    [...NO_INLINING, join(compiled, 'profileOnce.js'), join(dir, 'visits.heapprofile')],
    {
      stdio: 'pipe',
      timeout: 60_000,
    },
  );
  const line =
    readFileSync(join(TS_APP, 'src', 'visits.ts'), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('function rememberVisit(')) + 1;
  await followRememberVisit(page, 'visits.heapprofile', line, 'source-mapped');
  await waitForEditorAt(page, 'visits.ts', line);
  log(`source-mapped frame link opened visits.ts at line ${line}`);
  await page.screenshot({ path: join(out, 'flame-5-typescript.png') });
}

/**
 * A bundle built elsewhere: esbuild bundled the TypeScript app with its sources embedded in the map
 * (sourcesContent), and the .ts files are gone from this machine. The frame still shows the .ts line,
 * and its link opens the embedded visits.ts (read-only) there.
 */
async function embeddedSourceOpens(page: Page, workspace: string, dir: string, out: string): Promise<void> {
  const build = mkdtempSync(join(tmpdir(), 'heapscope-e2e-embedded-'));
  const bundle = join(dir, 'bundled', 'profileOnce.js');
  const original = join(build, 'src', 'visits.ts');
  try {
    cpSync(join(TS_APP, 'src'), join(build, 'src'), { recursive: true });
    buildSync({
      entryPoints: [join(build, 'src', 'profileOnce.ts')],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      sourcemap: true,
      sourcesContent: true,
      logLevel: 'silent',
    });
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
  if (existsSync(original)) throw new Error(`${original} should be gone`);
  execFileSync(process.execPath, [...NO_INLINING, bundle, join(dir, 'embedded.heapprofile')], {
    stdio: 'pipe',
    timeout: 60_000,
  });
  const line =
    readFileSync(join(TS_APP, 'src', 'visits.ts'), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('function rememberVisit(')) + 1;
  const frame = await followRememberVisit(page, 'embedded.heapprofile', line, 'mapped through the bundle');
  await waitForEditorAt(page, 'visits.ts', line, 'the source embedded in the map');
  // The TypeScript itself (types and all), not the bundle's JavaScript.
  const shown = await waitFor(
    'the embedded TypeScript on screen',
    async () => {
      const lines = (await page.locator('.editor-group-container.active .view-lines').textContent()) ?? '';
      // The editor lays spaces out as no-break spaces.
      const text = lines.replace(/\u00a0/g, ' ');
      return text.includes('request: RequestLike') ? text : undefined;
    },
    10_000,
    200,
  );
  log(`embedded source opened visits.ts at line ${line} (${shown.length} characters on screen)`);
  await page.screenshot({ path: join(out, 'flame-6-embedded.png') });

  // The workspace holds the same text at the same path tail: the user's own file opens instead.
  mkdirSync(join(workspace, 'app-copy', 'src'), { recursive: true });
  writeFileSync(
    join(workspace, 'app-copy', 'src', 'visits.ts'),
    readFileSync(join(TS_APP, 'src', 'visits.ts')),
  );
  await frame.locator('.detail a.source-link').click();
  await waitFor(
    'the workspace copy app-copy/src/visits.ts',
    async () => (await activeBreadcrumbs(page)).includes('app-copy') && (await cursorLine(page)) === line,
    20_000,
    200,
  );
  log(`the same text in the workspace opened app-copy/src/visits.ts at line ${line}`);
  // The next test opens a visits.ts at the same line: nothing of this one may stand in for it.
  await runCommand(page, 'View: Close All Editors');
}

/** The breadcrumbs of the active editor: the path of the file it shows. */
async function activeBreadcrumbs(page: Page): Promise<string> {
  return (await page.locator('.editor-group-container.active .breadcrumbs-control').textContent()) ?? '';
}

/**
 * A profile taken in a container: its frames name /app/heapscope-demo/allocate.js, which is not on
 * this machine; the workspace has heapscope-demo/allocate.js, and the link opens that.
 */
async function containerPathOpensWorkspaceFile(
  page: Page,
  env: { workspace: string },
  dir: string,
  profileText: string,
  line: number,
): Promise<void> {
  const containerPath = '/app/heapscope-demo/allocate.js';
  if (existsSync(containerPath)) throw new Error(`${containerPath} exists on this machine`);
  mkdirSync(join(env.workspace, 'heapscope-demo'), { recursive: true });
  writeFileSync(join(env.workspace, 'heapscope-demo', 'allocate.js'), readFileSync(ALLOCATE));
  const moved = profileText
    .split(JSON.stringify(pathToFileURL(ALLOCATE).href))
    .join(JSON.stringify(containerPath))
    .split(JSON.stringify(ALLOCATE))
    .join(JSON.stringify(containerPath));
  if (!moved.includes(containerPath)) throw new Error('the profile does not name allocate.js');
  writeFileSync(join(dir, 'container.heapprofile'), moved);
  // The fixture's own allocate.js is open from the first link: only the new link may open one now.
  await runCommand(page, 'View: Close All Editors');
  await explorerAction(page, 'container.heapprofile', 'Open heap profile as flame graph');
  const frame = await waitFor(
    'the flame graph of container.heapprofile',
    () => flameFrame(page, 'container.heapprofile', 'loaded'),
    60_000,
    250,
  );
  await frame.locator('.frame', { hasText: 'allocateRecords' }).first().click();
  await waitFor(
    'the detail of allocateRecords',
    async () => ((await frame.locator('.detail').textContent()) ?? '').includes(`allocate.js:${line}`),
    10_000,
    100,
  );
  await frame.locator('.detail a.source-link').click();
  await waitForEditorAt(page, 'allocate.js', line, 'the workspace file with the same path tail');
  log(`container path ${containerPath} opened the workspace's heapscope-demo/allocate.js at line ${line}`);

  // Two workspace files end with the container path's tail: the user picks one.
  for (const fork of ['fork-a', 'fork-b']) {
    mkdirSync(join(env.workspace, fork, 'forks'), { recursive: true });
    writeFileSync(join(env.workspace, fork, 'forks', 'allocate.js'), readFileSync(ALLOCATE));
  }
  writeFileSync(join(dir, 'forked.heapprofile'), moved.split(containerPath).join('/app/forks/allocate.js'));
  await explorerAction(page, 'forked.heapprofile', 'Open heap profile as flame graph');
  const forked = await waitFor(
    'the flame graph of forked.heapprofile',
    () => flameFrame(page, 'forked.heapprofile', 'loaded'),
    60_000,
    250,
  );
  await forked.locator('.frame', { hasText: 'allocateRecords' }).first().click();
  await forked.locator('.detail a.source-link').click();
  await pickQuickItem(page, 'fork-b');
  await waitFor(
    'fork-b/forks/allocate.js, as picked',
    async () => (await activeBreadcrumbs(page)).includes('fork-b') && (await cursorLine(page)) === line,
    20_000,
    200,
  );
  log(`two matches for /app/forks/allocate.js: the picked fork-b/forks/allocate.js opened at line ${line}`);
}

export const flameGraphTest: E2eTest = {
  name: 'flame graph: a .heapprofile opens as live bytes by stack, a frame opens its code',
  async run({ browser, env }) {
    const dir = join(env.workspace, 'profiles');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'allocate.heapprofile');
    execFileSync(process.execPath, [ALLOCATE, file], { stdio: 'pipe', timeout: 60_000 });
    const text = readFileSync(file, 'utf8');
    writeFileSync(join(dir, 'broken.heapprofile'), text.slice(0, Math.floor(text.length / 2)));
    const line =
      readFileSync(ALLOCATE, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('function allocateRecords')) + 1;

    const page = await openWorkbench(browser, env.url);
    try {
      await expandFolder(page, 'profiles');
      await explorerAction(page, 'allocate.heapprofile', 'Open heap profile as flame graph');
      const frame = await waitFor(
        'the flame graph of allocate.heapprofile',
        () => flameFrame(page, 'allocate.heapprofile', 'loaded'),
        60_000,
        250,
      );
      const drawn = await frame.evaluate(() => window.heapscopeFlame!);
      log(`flame graph: ${drawn.frames} frames, ${drawn.drawn} drawn`);
      if (drawn.drawn < 3) throw new Error(`the flame graph draws ${drawn.drawn} frames`);
      await page.screenshot({ path: join(env.out, 'flame-1-graph.png') });

      // The allocating function is wide enough to click; the click zooms to it.
      const box = frame.locator('.frame', { hasText: 'allocateRecords' }).first();
      await box.click();
      await waitFor(
        'the zoom to allocateRecords',
        async () => (await frame.evaluate(() => window.heapscopeFlame!.zoomed)) === 'allocateRecords',
        10_000,
        100,
      );
      const detail = (await frame.locator('.detail').textContent()) ?? '';
      if (!detail.includes(`allocate.js:${line}`))
        throw new Error(`the detail bar does not link allocate.js:${line}: ${detail}`);
      await page.screenshot({ path: join(env.out, 'flame-2-zoomed.png') });
      await frame.locator('.detail a.source-link').click();
      await waitForEditorAt(page, 'allocate.js', line);
      log(`frame link opened allocate.js at line ${line}`);

      // Search and the table view.
      await frame.locator('vscode-textfield.search input').fill('allocateBuffers');
      await waitFor(
        'search matches',
        async () => ((await frame.locator('.search-status').textContent()) ?? '').includes('frames'),
        10_000,
        100,
      );
      log(`search: ${await frame.locator('.search-status').textContent()}`);
      await frame.locator('vscode-button.mode-table').click();
      const tableText = await waitFor(
        'the table view',
        async () => {
          const t = (await frame.locator('.function-table').textContent()) ?? '';
          return t.includes('allocateBuffers') ? t : undefined;
        },
        10_000,
        100,
      );
      if (tableText.includes('allocateRecords')) throw new Error('the table is not filtered by the search');
      await page.screenshot({ path: join(env.out, 'flame-3-table.png') });

      await embeddedSourceOpens(page, env.workspace, dir, env.out);
      await mappedFrameOpensTypeScript(page, dir, env.out);
      await containerPathOpensWorkspaceFile(page, env, dir, text, line);

      await explorerAction(page, 'broken.heapprofile', 'Open heap profile as flame graph');
      const failed = await waitFor(
        'the broken profile’s error in the editor',
        () => flameFrame(page, 'broken.heapprofile', 'failed'),
        30_000,
        250,
      );
      const message = await failed.evaluate(() => document.querySelector('.failure')?.textContent ?? '');
      if (!message.includes('broken.heapprofile is not a heap profile: it is not JSON'))
        throw new Error(`the editor does not say what is wrong: ${message}`);
      log(`broken: ${message.slice(0, 160)}`);

      await liveFlame(page, env);
    } finally {
      await page.screenshot({ path: join(env.out, 'flame-last.png') }).catch(() => undefined);
      await page.close();
    }
  },
};
