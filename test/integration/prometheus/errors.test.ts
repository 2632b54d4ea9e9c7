// Every way a Prometheus endpoint can fail, each a HeapscopeError with its own code and a message
// that says what to do: a loopback HTTP server plays a login proxy, a server refusing credentials, a
// Prometheus error, a slow server, a huge answer; and a port nobody listens on.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { PromClient, fetchHistory, parseContainerSpec, scanNamespace } from '../../../src/core/prometheus';
import { isHeapscopeError, type HeapscopeErrorCode } from '../../../src/core/errors';
import { freePort } from '../../fixtures/prometheus/server';
import { runCli } from '../cliRunner';

const run = promisify(execFile);
const EMPTY_MATRIX = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } });

describe('prometheus error paths', function () {
  this.timeout(30_000);
  let server: Server;
  let base: string;
  const seen: IncomingMessage[] = [];
  const pending = new Set<() => void>();

  before(async () => {
    server = createServer((req, res) => {
      seen.push(req);
      const path = req.url ?? '';
      if (path.startsWith('/html/')) {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(
          '<!DOCTYPE html><html><head><title>Sign in – Corp SSO</title></head><body><form>login</form></body></html>',
        );
      } else if (path.startsWith('/unauthorized/')) {
        res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer' });
        res.end('token expired');
      } else if (path.startsWith('/forbidden/')) {
        res.writeHead(403, { 'Content-Type': 'text/plain' });
        res.end('no access to tenant');
      } else if (path.startsWith('/error/')) {
        res.writeHead(422, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            status: 'error',
            errorType: 'execution',
            error: 'query processing would load too many samples into memory',
          }),
        );
      } else if (path.startsWith('/slow/')) {
        // Answers only when the test ends (or never reads): the client's timeout must fire first.
        pending.add(() => res.destroy());
      } else if (path.startsWith('/huge/')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        res.write('{"status":"success","data":{"resultType":"matrix","result":[');
        let sent = 0;
        const pump = () => {
          while (sent < 64 && res.write(chunk)) sent++;
          if (sent < 64 && !res.destroyed) res.once('drain', pump);
          else res.end(']}}');
        };
        res.on('error', () => undefined);
        pump();
      } else if (path.startsWith('/huge-declared/')) {
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Length': String(512 * 1024 * 1024),
        });
        res.write('{');
        pending.add(() => res.destroy());
      } else if (path.startsWith('/ok/')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(EMPTY_MATRIX);
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('404 page not found');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const stop of pending) stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  async function expectCode(
    prefix: string,
    code: HeapscopeErrorCode,
    message: RegExp,
    extra: Partial<ConstructorParameters<typeof PromClient>[0]> = {},
  ) {
    const client = new PromClient({ url: `${base}/${prefix}/`, ...extra });
    await assert.rejects(client.api('api/v1/query_range', [['query', 'up']]), (e: unknown) => {
      assert.ok(isHeapscopeError(e, code), `expected ${code}, got ${String(e)}`);
      assert.match((e as Error).message, message);
      return true;
    });
  }

  it('an HTML login page from a proxy is not JSON, and says so with its title', () =>
    expectCode(
      'html',
      'prometheus-not-json',
      /HTML page \("Sign in – Corp SSO"\), likely a login page or a proxy/,
    ));

  it('401 and 403 are auth errors with what to check and the server text', async () => {
    await expectCode(
      'unauthorized',
      'prometheus-auth',
      /HTTP 401 Unauthorized\)\. Check the token or user\/password\. Server said: "token expired"/,
    );
    await expectCode(
      'forbidden',
      'prometheus-auth',
      /HTTP 403 Forbidden\).*lack access.*"no access to tenant"/,
    );
  });

  it("a Prometheus error body is shown in the server's own words", () =>
    expectCode(
      'error',
      'prometheus-query',
      /answered: execution: query processing would load too many samples into memory$/,
    ));

  it('a slow server times out', () =>
    expectCode('slow', 'prometheus-timeout', /did not answer within 0\.3 s/, { timeoutMs: 300 }));

  it('a huge answer is cut at the cap, streamed or declared', async () => {
    await expectCode('huge', 'prometheus-too-large', /more than 1 MiB; stopped reading/, {
      maxResponseBytes: 1024 * 1024,
    });
    await expectCode('huge-declared', 'prometheus-too-large', /more than 64 MiB/);
  });

  it('a wrong path (404 text) is not JSON', () =>
    expectCode('nothing-here', 'prometheus-not-json', /HTTP 404.*without \/api\/v1/));

  it('an unreachable host says so', async () => {
    const port = await freePort();
    const client = new PromClient({ url: `http://127.0.0.1:${port}` });
    await assert.rejects(
      client.api('api/v1/query', [['query', 'up']]),
      (e: unknown) =>
        isHeapscopeError(e, 'prometheus-unreachable') && /ECONNREFUSED/.test((e as Error).message),
    );
  });

  it('a failing endpoint fails the whole history with its error (auth is not a missing metric)', async () => {
    const client = new PromClient({ url: `${base}/unauthorized` });
    await assert.rejects(
      fetchHistory(client, parseContainerSpec('shop/api-0/app'), { start: 0, end: 3600 }),
      (e: unknown) => isHeapscopeError(e, 'prometheus-auth'),
    );
  });

  it('sends bearer, basic and extra headers, and refuses credentials in the URL', async () => {
    await new PromClient({
      url: `${base}/ok`,
      auth: { kind: 'bearer', token: 's3cret' },
      headers: { 'X-Scope-OrgID': 'team-a' },
    }).api('api/v1/query', [['query', 'up']]);
    const ok = () => seen.filter((r) => r.url?.startsWith('/ok/'));
    assert.equal(ok()[0].headers.authorization, 'Bearer s3cret');
    assert.equal(ok()[0].headers['x-scope-orgid'], 'team-a');
    await new PromClient({ url: `${base}/ok`, auth: { kind: 'basic', user: 'ann', password: 'pw' } }).api(
      'api/v1/query',
      [['query', 'up']],
    );
    assert.equal(ok()[1].headers.authorization, `Basic ${Buffer.from('ann:pw').toString('base64')}`);
    assert.throws(
      () => new PromClient({ url: 'http://ann:pw@127.0.0.1:9090' }),
      (e: unknown) => isHeapscopeError(e, 'usage'),
    );
    assert.throws(
      () => new PromClient({ url: 'ftp://x' }),
      (e: unknown) => isHeapscopeError(e, 'usage'),
    );
  });

  it('CLI: the token comes from an env var or stdin, reaches the server, and is never printed', async () => {
    const cli = async (args: string[], env: Record<string, string>, stdin?: string) => {
      const { code, stdout, stderr } = await runCli(args, { env, stdin, fromSource: true });
      return { code, out: stdout + stderr };
    };
    const secret = 'tok-9f8e7d6c';
    const denied = await cli(
      ['prom', '--url', `${base}/unauthorized`, '--container', 'shop/api-0/app', '--token-env', 'H4_TOKEN'],
      { H4_TOKEN: secret },
    );
    assert.equal(denied.code, 2);
    assert.match(
      denied.out,
      /heapscope prom: Prometheus at .* refused the request \(HTTP 401 Unauthorized\)/,
    );
    assert.ok(!denied.out.includes(secret));
    const before = seen.length;
    const ok = await cli(
      ['prom', '--url', `${base}/ok`, '--container', 'shop/api-0/app', '--token-stdin', '--json', '-'],
      {},
      `${secret}\n`,
    );
    assert.equal(ok.code, 3, ok.out); // no data: inconclusive
    assert.ok(!ok.out.includes(secret));
    assert.ok(seen.slice(before).every((r) => r.headers.authorization === `Bearer ${secret}`));
    const missing = await cli(
      ['prom', '--url', `${base}/ok`, '--container', 'shop/api-0/app', '--token-env', 'H4_NOT_SET'],
      {},
    );
    assert.equal(missing.code, 2);
    assert.match(missing.out, /--token-env: environment variable H4_NOT_SET is empty or not set/);
  });

  it('a self-signed HTTPS server is refused by default, accepted with its CA or (knowingly) without verification', async function () {
    const dir = await mkdtemp(join(tmpdir(), 'heapscope-tls-'));
    try {
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]);
      const cert = await readFile(join(dir, 'cert.pem'));
      const tls = createHttpsServer({ key: await readFile(join(dir, 'key.pem')), cert }, (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(EMPTY_MATRIX);
      });
      await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
      try {
        await assert.rejects(
          new PromClient({ url }).api('api/v1/query', [['query', 'up']]),
          (e: unknown) =>
            isHeapscopeError(e, 'prometheus-unreachable') &&
            /TLS to .* failed \(.*\)\. Give the server's CA/.test((e as Error).message),
        );
        await new PromClient({ url, ca: cert }).api('api/v1/query', [['query', 'up']]);
        await new PromClient({ url, verifyTls: false }).api('api/v1/query', [['query', 'up']]);
      } finally {
        tls.closeAllConnections();
        await new Promise((r) => tls.close(r));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// The namespace scan meets the same failures after a good start: the server lists the containers, then
// its query answers go wrong. Each fails the scan with its own error (or, for a missing optional
// metric, becomes a note), and the CLI says it and exits 2.
describe('prometheus error paths of the namespace scan', function () {
  this.timeout(30_000);
  let server: Server;
  let base: string;
  const pending = new Set<() => void>();
  const SERIES = JSON.stringify({
    status: 'success',
    data: [
      { __name__: 'container_memory_working_set_bytes', namespace: 'shop', pod: 'api-0', container: 'app' },
    ],
  });

  before(async () => {
    server = createServer((req, res) => {
      const [, mode = '', ...rest] = (req.url ?? '').split('/');
      const path = `/${rest.join('/')}`;
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const query = new URLSearchParams(body).get('query') ?? '';
        if (path.startsWith('/api/v1/series') && mode !== 'html-series') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(SERIES);
        } else if (mode === 'html' || mode === 'html-series') {
          res.writeHead(200, { 'Content-Type': 'text/html' });
          res.end(
            '<!DOCTYPE html><html><head><title>Sign in – Corp SSO</title></head><body>login</body></html>',
          );
        } else if (mode === 'forbidden') {
          res.writeHead(403, { 'Content-Type': 'text/plain' });
          res.end('no access to tenant');
        } else if (mode === 'slow') {
          pending.add(() => res.destroy());
        } else if (mode === 'huge') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.on('error', () => undefined);
          res.write('{"status":"success","data":{"resultType":"matrix","result":[');
          res.end(Buffer.alloc(2 * 1024 * 1024, 0x20));
        } else if (
          mode === 'required-error' ||
          (mode === 'optional-error' && !query.includes('container_memory_working_set_bytes'))
        ) {
          res.writeHead(422, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'unknown metric family' }));
        } else {
          const start = Number(new URLSearchParams(body).get('start'));
          const values = Array.from({ length: 30 }, (_, i) => [start + i * 60, String(100_000_000)]);
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(
            JSON.stringify({
              status: 'success',
              data: {
                resultType: 'matrix',
                result: [{ metric: { pod: 'api-0', container: 'app' }, values }],
              },
            }),
          );
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const stop of pending) stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const scan = (mode: string, extra: Partial<ConstructorParameters<typeof PromClient>[0]> = {}) =>
    scanNamespace(new PromClient({ url: `${base}/${mode}`, ...extra }), {
      namespace: 'shop',
      start: 1_700_000_000,
      end: 1_700_000_000 + 1800,
    });
  const rejectsWith = (promise: Promise<unknown>, code: HeapscopeErrorCode, message: RegExp) =>
    assert.rejects(promise, (e: unknown) => {
      assert.ok(isHeapscopeError(e, code), `expected ${code}, got ${String(e)}`);
      assert.match((e as Error).message, message);
      return true;
    });

  it('an HTML page, to the container list or to the queries, is not JSON', async () => {
    await rejectsWith(scan('html-series'), 'prometheus-not-json', /HTML page \("Sign in – Corp SSO"\)/);
    await rejectsWith(scan('html'), 'prometheus-not-json', /HTML page \("Sign in – Corp SSO"\)/);
  });

  it('a 403 on the queries is an auth error with the server text', () =>
    rejectsWith(scan('forbidden'), 'prometheus-auth', /HTTP 403 Forbidden\).*"no access to tenant"/));

  it('a slow server times out, and a huge answer is cut at the cap', async () => {
    await rejectsWith(scan('slow', { timeoutMs: 300 }), 'prometheus-timeout', /did not answer within 0\.3 s/);
    await rejectsWith(
      scan('huge', { maxResponseBytes: 1024 * 1024 }),
      'prometheus-too-large',
      /more than 1 MiB; stopped reading/,
    );
  });

  it('a missing optional metric is a note; a failing working set fails the scan', async () => {
    const result = await scan('optional-error');
    assert.equal(result.containers.length, 1);
    assert.ok(
      result.warnings.some((w) => /^limit: .*unknown metric family/.test(w)),
      result.warnings.join('\n'),
    );
    await rejectsWith(scan('required-error'), 'prometheus-query', /bad_data: unknown metric family/);
  });

  it('CLI: says what went wrong and exits 2', async () => {
    for (const [mode, message] of [
      ['html', /did not answer with Prometheus JSON \(HTTP 200\): it sent an HTML page/],
      ['forbidden', /refused the request \(HTTP 403 Forbidden\)/],
    ] as const) {
      const r = await runCli(['prom', '--url', `${base}/${mode}`, '--namespace', 'shop', '--window', '1h'], {
        fromSource: true,
      });
      assert.equal(r.code, 2, mode);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });
});
