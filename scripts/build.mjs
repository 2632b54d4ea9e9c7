// Bundles every entry point with esbuild. Node entries (CLI, extension, workers) are CommonJS for
// Node 20; the webview is an IIFE for the browser. `vscode` stays external: the host provides it.
import * as esbuild from 'esbuild';
import { mkdirSync, chmodSync, copyFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const nodeEntries = {
  // The `heapscope` executable: a launcher (src/cli/launch.ts) that loads the command line,
  // cliMain, or for the snapshot analyses their own smaller bundle, cliAnalyse.
  cli: 'src/cli/launch.ts',
  cliMain: 'src/cli/main.ts',
  cliAnalyse: 'src/cli/analyseMain.ts',
  extension: 'src/extension/extension.ts',
  // The package's `heapscope/testing` export (a library: its .d.ts files are emitted below).
  testing: 'src/testing/index.ts',
};
// Worker entries are added here by the modules that own them (they must exist as files in dist/).
const workerEntries = {
  'heapsnapshot.worker': 'src/core/heapsnapshot/worker.ts',
  // `heapscope mcp`'s server, loaded by path so that the MCP SDK is parsed by that command only.
  mcp: 'src/cli/mcpServer.ts',
  'explorer.worker': 'src/core/heapsnapshot/queries/worker.ts',
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    entryPoints: Object.fromEntries(
      Object.entries({ ...nodeEntries, ...workerEntries }).filter(([, file]) => existsSync(file)),
    ),
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    // Only the CLI needs it, and Node ignores a shebang on line 1 of any CommonJS module.
    banner: { js: '#!/usr/bin/env node' },
  },
];
// One browser bundle per webview: the live view, the Prometheus history view, the heap snapshot
// explorer and the allocation flame graph (the last two are custom editors of their own).
const webviews = Object.fromEntries(
  Object.entries({
    main: 'webview/main.ts',
    history: 'webview/history/main.ts',
    explorer: 'webview/explorer/main.ts',
    flame: 'webview/flame/main.ts',
  }).filter(([, file]) => existsSync(file)),
);
if (Object.keys(webviews).length > 0) {
  builds.push({
    entryPoints: webviews,
    outdir: 'dist/webview',
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    loader: { '.css': 'css' },
  });
}

mkdirSync('dist', { recursive: true });
if (watch) {
  for (const options of builds) (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  // Codicons for the webview's <vscode-button icon=…> (vscode-elements finds the stylesheet by the id
  // the host gives its <link>); copied, not bundled, because the font is loaded by URL under the CSP.
  const codicons = 'node_modules/@vscode/codicons/dist';
  if (existsSync('webview/main.ts') && existsSync(`${codicons}/codicon.css`)) {
    mkdirSync('dist/webview', { recursive: true });
    for (const file of ['codicon.css', 'codicon.ttf'])
      copyFileSync(`${codicons}/${file}`, `dist/webview/${file}`);
  }
  // Types of the `heapscope/testing` export: declarations of that entry alone, into dist/testing/.
  if (existsSync('src/testing/index.ts')) {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(
      process.execPath,
      [
        tsc,
        'src/testing/index.ts',
        '--declaration',
        '--emitDeclarationOnly',
        '--outDir',
        'dist/testing',
      ].concat([
        '--strict',
        '--skipLibCheck',
        '--target',
        'ES2022',
        '--module',
        'commonjs',
        '--types',
        'node',
        '--esModuleInterop',
      ]),
      { stdio: 'inherit' },
    );
  }
  // package.json's bin entry runs dist/cli.js directly.
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
}
