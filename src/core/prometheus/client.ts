// A small client for the Prometheus HTTP API (also Thanos, Mimir/Cortex, VictoriaMetrics: they speak
// the same /api/v1). Built on node:http/https rather than fetch so that a custom CA, "insecure" TLS,
// a hard byte cap while streaming and one timeout covering the whole answer need no extra dependency.
// Credentials are only held in memory; nothing here writes them anywhere, and error messages carry
// the URL without them.
import * as http from 'node:http';
import * as https from 'node:https';
import { HeapscopeError } from '../errors';
import { replyShapeProblem } from './replyShape';

export interface PromAuth {
  kind: 'none' | 'bearer' | 'basic';
  token?: string;
  user?: string;
  password?: string;
}

export interface PromEndpoint {
  /** Base URL, e.g. http://prometheus:9090 or https://thanos.example/prefix. */
  url: string;
  auth?: PromAuth;
  /** Extra headers (e.g. X-Scope-OrgID for Mimir/Cortex). */
  headers?: Record<string, string>;
  /** Default true. False accepts any certificate (the faces warn). */
  verifyTls?: boolean;
  /** Extra CA certificates (PEM). */
  ca?: string | Buffer;
  /** Per request, whole answer included. Default 30 s. */
  timeoutMs?: number;
  /** Largest answer accepted, bytes. Default 64 MiB. */
  maxResponseBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** The `data` of a matrix or vector answer. */
export interface PromMatrixSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

/** Counts requests so faces and the bench can report them. */
export class PromClient {
  requests = 0;
  private readonly base: URL;

  constructor(readonly endpoint: PromEndpoint) {
    let base: URL;
    try {
      base = new URL(endpoint.url);
    } catch {
      throw new HeapscopeError(
        'usage',
        `Not a URL: "${endpoint.url}". Give the Prometheus base URL, e.g. http://prometheus:9090.`,
      );
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new HeapscopeError('usage', `Prometheus URL must be http:// or https:// (got ${base.protocol}).`);
    }
    if (base.username || base.password) {
      throw new HeapscopeError(
        'usage',
        'Put credentials in --user/--password-env or --token-env, not in the URL.',
      );
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.base = base;
  }

  /** The base URL as it may be shown (no credentials ever). */
  get displayUrl(): string {
    return this.base.origin + this.base.pathname.replace(/\/$/, '');
  }

  /**
   * An /api/v1 call; returns `data` of a successful answer. POST (a form) keeps long PromQL out of URL
   * length limits and is accepted by query, query_range and series; label values are GET only.
   */
  async api<T>(path: string, params: Array<[string, string]>, signal?: AbortSignal): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    const form = new URLSearchParams(params).toString();
    const method = /\/label\//.test(url.pathname) ? 'GET' : 'POST';
    if (method === 'GET') url.search = form;
    const text = await this.request(url, method, method === 'POST' ? form : '', signal);
    let parsed: { status?: string; data?: T; error?: string; errorType?: string; warnings?: string[] };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw notJson(url, text);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new HeapscopeError(
        'prometheus-malformed',
        `Prometheus at ${this.displayUrl} answered ${url.pathname} with JSON that is not a Prometheus reply.`,
      );
    if (parsed.status !== 'success') {
      const type = parsed.errorType ? `${parsed.errorType}: ` : '';
      throw new HeapscopeError(
        'prometheus-query',
        `Prometheus at ${this.displayUrl} answered: ${type}${parsed.error ?? 'unknown error'}`,
      );
    }
    const problem = replyShapeProblem(url.pathname, parsed.data);
    if (problem)
      throw new HeapscopeError(
        'prometheus-malformed',
        `Prometheus at ${this.displayUrl} answered "success" to ${url.pathname} with data Heapscope cannot read (${problem}). ` +
          'Check that the URL points at a Prometheus-compatible API (not a proxy or another service).',
      );
    return parsed.data as T;
  }

  private request(url: URL, method: 'GET' | 'POST', body: string, signal?: AbortSignal): Promise<string> {
    this.requests++;
    const e = this.endpoint;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': 'heapscope',
      ...(e.headers ?? {}),
    };
    if (method === 'POST') {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    if (e.auth?.kind === 'bearer' && e.auth.token) headers.Authorization = `Bearer ${e.auth.token}`;
    if (e.auth?.kind === 'basic') {
      headers.Authorization = `Basic ${Buffer.from(`${e.auth.user ?? ''}:${e.auth.password ?? ''}`).toString('base64')}`;
    }
    const timeoutMs = e.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxBytes = e.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const where = `${url.origin}${url.pathname}`;
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, text?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error) {
          req.destroy();
          reject(error);
        } else resolve(text ?? '');
      };
      const options: https.RequestOptions = { method, headers };
      if (url.protocol === 'https:') {
        options.rejectUnauthorized = e.verifyTls !== false;
        if (e.ca) options.ca = e.ca;
      }
      const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
        const status = res.statusCode ?? 0;
        const type = String(res.headers['content-type'] ?? '');
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          finish(tooLarge(where, maxBytes));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            finish(tooLarge(where, maxBytes));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (error) => finish(unreachable(where, error)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (status === 401 || status === 403) {
            finish(
              new HeapscopeError(
                'prometheus-auth',
                `Prometheus at ${where} refused the request (HTTP ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}). ` +
                  (status === 401
                    ? 'Check the token or user/password.'
                    : 'The credentials are valid but lack access to this API.') +
                  serverSays(text),
              ),
            );
            return;
          }
          // Prometheus answers 400/422/503 with its JSON error body: let api() show the server's own message.
          const isJson = /json/i.test(type) || /^\s*[{[]/.test(text);
          if (status >= 200 && status < 300 && isJson) finish(undefined, text);
          else if (isJson && status >= 400 && /"status"\s*:\s*"error"/.test(text)) finish(undefined, text);
          else if (!isJson) finish(notJson(url, text, status));
          else
            finish(
              new HeapscopeError(
                'prometheus-http',
                `Prometheus at ${where} answered HTTP ${status}.${serverSays(text)}`,
              ),
            );
        });
      });
      const timer = setTimeout(
        () =>
          finish(
            new HeapscopeError(
              'prometheus-timeout',
              `Prometheus at ${where} did not answer within ${Math.round(timeoutMs / 100) / 10} s. Try a shorter window or a larger step.`,
            ),
          ),
        timeoutMs,
      );
      const onAbort = () => finish(new HeapscopeError('cancelled', 'Cancelled.'));
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) => finish(unreachable(where, error)));
      req.end(body);
    });
  }
}

function serverSays(text: string): string {
  const line = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
  return line ? ` Server said: "${line}"` : '';
}

function notJson(url: URL, text: string, status?: number): HeapscopeError {
  const looksHtml = /^\s*<(!doctype|html|head|body)/i.test(text);
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
  return new HeapscopeError(
    'prometheus-not-json',
    `${url.origin}${url.pathname} did not answer with Prometheus JSON` +
      (status ? ` (HTTP ${status})` : '') +
      (looksHtml
        ? `: it sent an HTML page${title ? ` ("${title}")` : ''}, likely a login page or a proxy in front of Prometheus`
        : '') +
      '. Check the URL (the base of the Prometheus API, without /api/v1) and the credentials.' +
      (looksHtml ? '' : serverSays(text)),
  );
}

function tooLarge(where: string, maxBytes: number): HeapscopeError {
  return new HeapscopeError(
    'prometheus-too-large',
    `Prometheus at ${where} sent more than ${Math.round(maxBytes / 1024 / 1024)} MiB; stopped reading. Narrow the query (a container, not a namespace) or use a larger step.`,
  );
}

function unreachable(where: string, error: Error): HeapscopeError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const tls = /CERT|SSL|TLS|SELF_SIGNED/i.test(code) || /certificate/i.test(error.message);
  return new HeapscopeError(
    'prometheus-unreachable',
    tls
      ? `TLS to ${where} failed (${code || error.message}). Give the server's CA (--ca-file) or, knowingly, --insecure.`
      : `Cannot reach Prometheus at ${where} (${code || error.message}). Check the URL and that the server is up.`,
    { cause: error },
  );
}
