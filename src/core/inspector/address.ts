// Turns what a user types (ws:// URL, host:port, or a bare port) into an inspector WebSocket URL,
// through Node's /json/list endpoint, and says loudly when the inspector is not on loopback: the
// inspector is remote code execution for anyone who can reach it.
import { HeapscopeError, describeError } from '../errors';
import { openCdpClient, type CdpClient } from './cdp';

export interface InspectorAddress {
  host: string;
  port: number;
  /** Set when the address was already a WebSocket URL. */
  url?: string;
}

export interface ResolvedInspector {
  webSocketDebuggerUrl: string;
  host: string;
  port: number;
  title?: string;
  /** A warning a face must show (non-loopback host), or undefined. */
  warning?: string;
}

export interface JsonListTarget {
  webSocketDebuggerUrl?: string;
  type?: string;
  title?: string;
  url?: string;
  id?: string;
  description?: string;
  devtoolsFrontendUrl?: string;
}

/**
 * The one loopback rule of Heapscope (the inspector is remote code execution for anyone who can
 * reach it): 127.0.0.0/8, ::1 (bracketed or not, or as an IPv4-mapped 127.x), and localhost.
 * 0.0.0.0 is every interface, not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^(?:::ffff:)?127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return v4 !== null && v4.slice(1).every((part) => Number(part) <= 255);
}

/** The host of what a user types (a bare port means 127.0.0.1); undefined when it cannot be read. */
export function hostOfAddress(address: string): string | undefined {
  try {
    return parseInspectorAddress(address).host;
  } catch {
    return undefined;
  }
}

/** Whether an address in any accepted form (port, host:port, [v6]:port, ws:// URL) is on loopback. */
export function isLoopbackAddress(address: string): boolean {
  const host = hostOfAddress(address);
  return host !== undefined && isLoopbackHost(host);
}

export function loopbackWarning(host: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  return (
    `WARNING: the inspector at ${host} is not on loopback. Anyone who can reach it can run any code ` +
    'in that process; keep inspectors on 127.0.0.1 and reach remote ones through an SSH tunnel or port-forward.'
  );
}

export function parseInspectorAddress(address: string): InspectorAddress {
  const text = address.trim();
  if (/^wss?:\/\//i.test(text)) {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw new HeapscopeError('usage', `"${address}" is not a valid WebSocket URL.`);
    }
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'wss:' ? 443 : 80;
    return { host: parsed.hostname, port, url: text };
  }
  const match = /^(?:(\[[^\]]+\]|[^:\s]+):)?(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new HeapscopeError(
      'usage',
      `Cannot read inspector address "${address}": give a ws:// URL, host:port (127.0.0.1:9229) or a port (9229).`,
    );
  }
  return { host: match[1] ?? '127.0.0.1', port };
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** GET /json/list of an inspector; HeapscopeError when nothing listens or it is not a Node inspector. */
export async function listInspectorTargets(
  host: string,
  port: number,
  timeoutMs = 3000,
): Promise<JsonListTarget[]> {
  const where = `${host}:${port}`;
  let response: Response;
  try {
    response = await fetch(`http://${hostForUrl(host)}:${port}/json/list`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? describeError(error);
    throw new HeapscopeError(
      'target-unreachable',
      `Nothing answers at ${where} (${cause}). Is the process running with --inspect=${where}? ` +
        'Use --pid to wake a running Node process, or launch it with `heapscope check -- node app.js`.',
      { cause: error },
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new HeapscopeError(
      'target-not-node',
      `${where} answers HTTP but is not a Node inspector (no JSON at /json/list). Check the port.`,
      { cause: error },
    );
  }
  if (!response.ok || !Array.isArray(body)) {
    throw new HeapscopeError(
      'target-not-node',
      `${where} is not a Node inspector (/json/list answered HTTP ${response.status}). Check the port.`,
    );
  }
  return body as JsonListTarget[];
}

/** Finds the WebSocket URL for an address. */
export async function resolveInspector(address: string): Promise<ResolvedInspector> {
  const parsed = parseInspectorAddress(address);
  const warning = loopbackWarning(parsed.host);
  if (parsed.url) return { webSocketDebuggerUrl: parsed.url, host: parsed.host, port: parsed.port, warning };
  const targets = await listInspectorTargets(parsed.host, parsed.port);
  const target =
    targets.find((t) => t.webSocketDebuggerUrl && t.type === 'node') ??
    targets.find((t) => t.webSocketDebuggerUrl);
  if (!target?.webSocketDebuggerUrl) {
    throw new HeapscopeError(
      'target-not-node',
      `The inspector at ${parsed.host}:${parsed.port} lists no Node target to attach to` +
        (targets.length ? ' (it may be a browser, or a debugger already holds it).' : '.'),
    );
  }
  // Node answers with the host it was asked for; keep the user's host so tunnels keep working.
  return {
    webSocketDebuggerUrl: target.webSocketDebuggerUrl,
    host: parsed.host,
    port: parsed.port,
    title: target.title,
    warning,
  };
}

export interface InspectorConnection {
  client: CdpClient;
  url: string;
  close(): Promise<void>;
}

/**
 * Opens a CDP client for what a user typed (ws:// URL, host:port, or port on 127.0.0.1); a
 * non-loopback host is accepted with a warning.
 */
export async function connectTo(
  address: string,
  warn?: (message: string) => void,
  signal?: AbortSignal,
): Promise<InspectorConnection> {
  const resolved = await resolveInspector(address);
  if (resolved.warning) warn?.(resolved.warning);
  const client = await openCdpClient({ target: resolved.webSocketDebuggerUrl, signal });
  return { client, url: resolved.webSocketDebuggerUrl, close: () => client.close() };
}
