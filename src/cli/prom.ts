// `heapscope prom`: a container's memory history from Prometheus (or Thanos, Mimir, VictoriaMetrics)
// with the same leak verdict as `check`, or (--namespace) every container of a namespace, ranked. Secrets come from environment variables or stdin, never argv
// (argv shows in `ps` and shell history), and are never written to the report.
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { describeError, HeapscopeError } from '../core/errors';
import {
  PromClient,
  fetchHistory,
  formatHistoryText,
  historyReport,
  parseContainerSpec,
  parseTime,
  parseWindow,
  scanNamespace,
  fleetReport,
  formatFleetText,
  DEFAULT_SCAN_CONCURRENCY,
  type PromAuth,
} from '../core/prometheus';
import type { Verdict } from '../core/types';
import { exitCodes } from './exitCodes';
import { stripControl } from '../shared/text';

interface PromOptions {
  url?: string;
  container?: string;
  namespace?: string;
  selector?: string;
  concurrency?: string;
  window: string;
  end?: string;
  step?: string;
  width?: string;
  json?: string;
  tokenEnv?: string;
  tokenStdin?: boolean;
  user?: string;
  passwordEnv?: string;
  passwordStdin?: boolean;
  header: string[];
  insecure?: boolean;
  caFile?: string;
  timeout?: string;
  exactPod?: boolean;
  query: string[];
  series: string[];
  quiet?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerPromCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('prom')
    .description(
      "Pull a container's memory history from Prometheus and say whether it leaks, or rank every container of a namespace.",
    )
    .option('--url <url>', 'Prometheus-compatible base URL (env HEAPSCOPE_PROM_URL)')
    .option(
      '--container <ns/pod/container>',
      'the container; a generated pod name also joins the other pods of its workload',
    )
    .option('--namespace <ns>', 'scan every container of this namespace and rank them, leaks first')
    .option(
      '--selector <matchers>',
      'with --namespace: only containers matching these label matchers, e.g. \'container="app", pod=~"api-.*"\'',
    )
    .option(
      '--concurrency <n>',
      `with --namespace: requests in flight at once (default ${DEFAULT_SCAN_CONCURRENCY})`,
    )
    .option('--window <duration>', 'how far back: 30m, 6h, 24h, 7d, 30d', '24h')
    .option('--end <time>', 'end of the window: Unix seconds, RFC 3339, or now', 'now')
    .option('--step <seconds>', 'query_range step (default: from the window and --width)')
    .option('--width <points>', 'points per series to aim for when choosing the step', '1200')
    .option('--json <file>', 'write the JSON report to a file (- for stdout)')
    .option('--token-env <VAR>', 'bearer token from this environment variable')
    .option('--token-stdin', 'bearer token from stdin')
    .option('--user <name>', 'basic auth user')
    .option('--password-env <VAR>', 'basic auth password from this environment variable')
    .option('--password-stdin', 'basic auth password from stdin')
    .option(
      '--header <K: V>',
      'extra header, repeatable (e.g. "X-Scope-OrgID: team-a"); "K: $VAR" reads the value from VAR',
      collect,
      [],
    )
    .option('--ca-file <pem>', 'extra CA certificate(s) to trust')
    .option('--insecure', 'do not verify the TLS certificate (warns)')
    .option('--timeout <seconds>', 'per request', '30')
    .option('--exact-pod', 'only this pod name (do not join the pods of its workload)')
    .option(
      '--query <name=promql>',
      'replace a default query (workingSet, rss, usage, cache, limit, heapUsed, ...), repeatable',
      collect,
      [],
    )
    .option(
      '--series <name=promql>',
      'add a custom series; $selector expands to the container matchers, repeatable',
      collect,
      [],
    )
    .option('--quiet', 'print only the verdict line')
    .addHelpText(
      'after',
      '\nExit codes: 0 no leak, 1 leak, 2 usage or server error, 3 inconclusive.\n' +
        'With --namespace: 1 when any container leaks, 3 when none leaks but some are inconclusive.\n' +
        'Examples:\n  heapscope prom --url http://prometheus:9090 --container shop/api-7d9f8b6c5-x2kqz/app --window 7d\n' +
        '  heapscope prom --url http://prometheus:9090 --namespace shop --window 7d --json scan.json\n' +
        '  PROM_TOKEN=… heapscope prom --url https://thanos.example --token-env PROM_TOKEN --container shop/api-0/app --json report.json',
    )
    .action(async (options: PromOptions) => {
      setExit(await runProm(options));
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

function fromEnv(name: string, what: string): string {
  const value = process.env[name];
  if (!value) throw new HeapscopeError('usage', `${what}: environment variable ${name} is empty or not set.`);
  return value;
}

function splitPair(text: string, sep: string, what: string): [string, string] {
  const i = text.indexOf(sep);
  if (i <= 0) throw new HeapscopeError('usage', `${what} wants name${sep}value (got "${text}").`);
  return [text.slice(0, i).trim(), text.slice(i + sep.length).trim()];
}

function exitCodeOf(v: Verdict): number {
  return v === 'leak' ? exitCodes.leak : v === 'no-leak' ? exitCodes.ok : exitCodes.inconclusive;
}

/** Where the human-readable result goes: stderr when stdout carries the JSON. Label values come from
 *  the server, so no control character reaches the terminal. */
function textOut(jsonOnStdout: boolean): (text: string) => void {
  const print = jsonOnStdout
    ? (line: string) => process.stderr.write(`${line}\n`)
    : (line: string) => process.stdout.write(`${line}\n`);
  return (text) => print(text.split('\n').map(stripControl).join('\n'));
}

async function writeJson(where: string, report: unknown): Promise<void> {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (where === '-') process.stdout.write(text);
  else {
    const target = resolve(where);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
}

async function runProm(options: PromOptions): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const url = options.url ?? process.env.HEAPSCOPE_PROM_URL;
    if (!url) throw new HeapscopeError('usage', '--url is required (or set HEAPSCOPE_PROM_URL).');
    if (!options.container && !options.namespace)
      throw new HeapscopeError(
        'usage',
        '--container <namespace>/<pod>/<container> or --namespace <namespace> is required.',
      );
    if (options.container && options.namespace)
      throw new HeapscopeError('usage', 'Give either --container or --namespace, not both.');
    if (options.selector && !options.namespace)
      throw new HeapscopeError('usage', '--selector goes with --namespace.');
    if (options.tokenStdin && options.passwordStdin)
      throw new HeapscopeError('usage', 'Only one of --token-stdin and --password-stdin.');
    let auth: PromAuth = { kind: 'none' };
    if (options.tokenEnv || options.tokenStdin) {
      auth = {
        kind: 'bearer',
        token: options.tokenStdin ? await readStdin() : fromEnv(options.tokenEnv!, '--token-env'),
      };
    } else if (options.user) {
      const password = options.passwordStdin
        ? await readStdin()
        : options.passwordEnv
          ? fromEnv(options.passwordEnv, '--password-env')
          : '';
      auth = { kind: 'basic', user: options.user, password };
    }
    const headers: Record<string, string> = {};
    for (const h of options.header) {
      const [name, raw] = splitPair(h, ':', '--header');
      headers[name] = raw.startsWith('$') ? fromEnv(raw.slice(1), `--header ${name}`) : raw;
    }
    const timeoutSeconds = Number(options.timeout);
    if (!(timeoutSeconds > 0))
      throw new HeapscopeError(
        'usage',
        `--timeout must be a positive number of seconds (got ${options.timeout}).`,
      );
    if (options.insecure)
      err(
        'heapscope prom: warning: TLS certificate verification is OFF (--insecure); the token can be read by anyone in between.',
      );
    const client = new PromClient({
      url,
      auth,
      headers,
      verifyTls: !options.insecure,
      ca: options.caFile ? await readFile(options.caFile) : undefined,
      timeoutMs: timeoutSeconds * 1000,
    });
    const end = parseTime(options.end ?? 'now');
    const windowSeconds = parseWindow(options.window);
    const step = options.step !== undefined ? Number(options.step) : undefined;
    if (step !== undefined && !(step > 0))
      throw new HeapscopeError('usage', `--step must be a positive number of seconds (got ${options.step}).`);
    if (options.namespace) {
      const concurrency = options.concurrency !== undefined ? Number(options.concurrency) : undefined;
      if (
        concurrency !== undefined &&
        !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64)
      )
        throw new HeapscopeError(
          'usage',
          `--concurrency must be a whole number from 1 to 64 (got ${options.concurrency}).`,
        );
      const scan = await scanNamespace(client, {
        namespace: options.namespace,
        selector: options.selector,
        start: end - windowSeconds,
        end,
        stepSeconds: step,
        widthPoints: Number(options.width) || 1200,
        concurrency,
      });
      if (options.json) await writeJson(options.json, fleetReport(scan));
      const out = textOut(options.json === '-');
      const leaks = scan.containers.filter((c) => c.verdict.verdict === 'leak').length;
      out(
        options.quiet
          ? `${scan.verdict}: ${leaks} of ${scan.containers.length} containers in ${scan.namespace} leak`
          : formatFleetText(scan),
      );
      return exitCodeOf(scan.verdict);
    }
    const ref = parseContainerSpec(options.container!, options.exactPod);
    const overrides = Object.fromEntries(options.query.map((q) => splitPair(q, '=', '--query')));
    const custom = options.series.map((s) => {
      const [name, promql] = splitPair(s, '=', '--series');
      return { name, promql };
    });
    const history = await fetchHistory(client, ref, {
      start: end - windowSeconds,
      end,
      stepSeconds: step,
      widthPoints: Number(options.width) || 1200,
      overrides,
      custom,
    });
    if (options.json) await writeJson(options.json, historyReport(history));
    const out = textOut(options.json === '-');
    out(
      options.quiet ? `${history.verdict.verdict}: ${history.verdict.summary}` : formatHistoryText(history),
    );
    return exitCodeOf(history.verdict.verdict);
  } catch (error) {
    err(`heapscope prom: ${describeError(error)}`);
    if (!(error instanceof HeapscopeError)) err('(unexpected error; please report it)');
    return exitCodes.usage;
  }
}
