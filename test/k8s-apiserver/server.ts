// A local stand-in for a Kubernetes API server, on 127.0.0.1 (HTTPS or plain HTTP), that speaks the real
// protocols the real `kubectl` uses for what Heapscope asks of it: discovery, get/list of pods and
// namespaces, `exec` over WebSocket (v5.channel.k8s.io / v4), and `port-forward` as SPDY/3.1 tunnelled
// in a WebSocket ("SPDY/3.1+portforward.k8s.io", kubectl >= 1.31) or, when that is switched off, over a
// plain SPDY upgrade (kubectl's fallback). Pods are configured by the test; their containers map to real
// local processes; forwarded ports map to real local ports. Switches produce each failure a user meets.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { ContainerView, type ContainerCgroup, type ContainerImage, type FakeProcess } from './containerView';
import { SpdySession, type SpdyStream } from './spdy';

export interface FakeContainer {
  name: string;
  image?: string;
  processes: FakeProcess[];
  /** Image switches: distroless (no sh, no kill) or no /bin/kill. Mutable at any time. */
  imageKind?: ContainerImage;
  /** Its memory cgroup (limit and use) as /sys/fs/cgroup shows it; none readable when unset. */
  cgroup?: ContainerCgroup;
}

export interface FakePod {
  namespace: string;
  name: string;
  /** Default 'Running'. */
  phase?: 'Running' | 'Pending' | 'Succeeded' | 'Failed' | 'Unknown';
  /** Waiting reason of the containers when not running (e.g. 'ContainerCreating', 'CrashLoopBackOff'). */
  waitingReason?: string;
  createdAt?: Date;
  containers: FakeContainer[];
  /** Pod port -> local port (or a function giving it when asked, e.g. after SIGUSR1). */
  ports?: Record<number, number | (() => number | undefined)>;
}

export interface ForbiddenRule {
  verb: 'get' | 'list' | 'create';
  /** e.g. 'pods', 'pods/exec', 'pods/portforward', 'namespaces'. */
  resource: string;
}

export interface RequestRecord {
  method: string;
  path: string;
  /** The WebSocket subprotocol or SPDY upgrade negotiated, for streaming requests. */
  protocol?: string;
  userAgent?: string;
}

const USER = 'jane@example.com';
const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
export const TEST_TOKEN = 'heapscope-test-token';

export class FakeApiServer {
  readonly pods: FakePod[] = [];
  /** Requests answered 403 with the API's own Status message. */
  forbidden: ForbiddenRule[] = [];
  /** When true, the WebSocket port-forward upgrade is refused, so kubectl falls back to plain SPDY. */
  portForwardSpdyOnly = false;
  /**
   * Minor version /version reports. Some kubectl installs (the Google Cloud SDK's dispatcher) run the
   * kubectl release matching the server, so an older version here exercises an older client.
   */
  serverMinorVersion = 32;
  /** When true, the WebSocket exec upgrade is refused, so kubectl falls back to SPDY (as with kubectl < 1.30). */
  execSpdyOnly = false;
  /** Each new port-forward tunnel is cut this many ms after it opened. */
  dropForwardsAfterMs: number | undefined;
  readonly requests: RequestRecord[] = [];
  private server: http.Server | undefined;
  private readonly tunnels = new Set<() => void>();
  private readonly sockets = new Set<net.Socket>();
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => {
      for (const wanted of ['v5.channel.k8s.io', 'v4.channel.k8s.io']) {
        if (offered.has(wanted)) return wanted;
      }
      return false;
    },
  });
  /**
   * Port-forward tunnels: `ws` rejects "SPDY/3.1+portforward.k8s.io" as a subprotocol token (the '/'
   * is not a token character), so the offer is checked here and the answer header added by hand.
   */
  private readonly tunnelWss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly root = mkdtempSync(path.join(tmpdir(), 'hs-k8s-apiserver-'));
  port = 0;
  /** PEM of the self-signed certificate when serving TLS (the kubeconfig trusts exactly it). */
  private certificatePem: string | undefined;
  /** Requests whose bearer token was checked, with the token's origin (for the auth tests). */
  authenticatedRequests = 0;

  /**
   * `tls: true` serves HTTPS with a fresh self-signed certificate for 127.0.0.1 (made with the openssl
   * CLI) and then requires the bearer token, as a real API server does; over plain HTTP client-go sends
   * no token, so none is required.
   */
  constructor(private readonly options: { tls?: boolean } = {}) {}

  get url(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    let server: http.Server;
    if (this.options.tls) {
      const { key, cert } = selfSignedCertificate(this.root);
      this.certificatePem = cert;
      server = https.createServer({ key, cert }, handler);
    } else {
      server = http.createServer(handler);
    }
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
    server.on(this.options.tls ? 'secureConnection' : 'connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.dropAllForwards();
    for (const client of [...this.wss.clients, ...this.tunnelWss.clients]) client.terminate();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.wss.close();
    this.tunnelWss.close();
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Cuts every open port-forward tunnel, as a broken connection to the API server would. */
  dropAllForwards(): void {
    for (const drop of [...this.tunnels]) drop();
  }

  get openTunnels(): number {
    return this.tunnels.size;
  }

  /**
   * Writes a kubeconfig with context `fake` (current, namespace `default`) pointing here, plus any
   * extra contexts (e.g. one pointing at a closed port). JSON is valid kubeconfig YAML.
   */
  writeKubeconfig(
    file: string,
    options: {
      extraContexts?: Array<{ name: string; server: string; namespace?: string }>;
      current?: string;
      empty?: boolean;
      /**
       * How the user authenticates: a static token (default), a wrong token, or an exec credential
       * plugin (a Node script printing an ExecCredential, as cloud login plugins do).
       */
      auth?: { kind: 'token' } | { kind: 'bad-token' } | { kind: 'exec'; plugin: string };
    } = {},
  ): string {
    const contexts = options.empty
      ? []
      : [{ name: 'fake', server: this.url, namespace: 'default' }, ...(options.extraContexts ?? [])];
    const auth = options.auth ?? { kind: 'token' };
    const user =
      auth.kind === 'exec'
        ? {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command: process.execPath,
              args: [auth.plugin],
              interactiveMode: 'Never',
            },
          }
        : { token: auth.kind === 'token' ? TEST_TOKEN : 'expired-token' };
    const caData = this.certificatePem ? Buffer.from(this.certificatePem).toString('base64') : undefined;
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
      clusters: contexts.map((c) => ({
        name: `${c.name}-cluster`,
        cluster: {
          server: c.server,
          ...(caData && c.server.startsWith('https:') ? { 'certificate-authority-data': caData } : {}),
        },
      })),
      users: [{ name: 'jane', user }],
      contexts: contexts.map((c) => ({
        name: c.name,
        context: { cluster: `${c.name}-cluster`, user: 'jane', namespace: c.namespace ?? 'default' },
      })),
      'current-context': options.empty ? '' : (options.current ?? 'fake'),
    };
    writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
  }

  // --- plain requests ---------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      userAgent: req.headers['user-agent'],
    });
    req.resume();
    if (!this.authorized(req)) return sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
    const parts = url.pathname.split('/').filter(Boolean);
    const send = (body: unknown) => sendJson(res, 200, body);

    if (url.pathname === '/version')
      return send({
        major: '1',
        minor: String(this.serverMinorVersion),
        gitVersion: `v1.${this.serverMinorVersion}.0-heapscope-test`,
        platform: 'linux/amd64',
      });
    if (url.pathname === '/api')
      return send({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (url.pathname === '/apis') return send({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    if (url.pathname === '/api/v1') return send(RESOURCE_LIST);
    if (parts[0] !== 'api' || parts[1] !== 'v1')
      return sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');

    // /api/v1/namespaces, /api/v1/pods, /api/v1/namespaces/{ns}/pods[/{name}]
    if (parts.length === 3 && parts[2] === 'namespaces') {
      if (this.denied(res, 'list', 'namespaces', undefined)) return;
      return send({
        kind: 'NamespaceList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '1' },
        items: this.namespaces().map(namespaceJson),
      });
    }
    if (parts.length === 4 && parts[2] === 'namespaces') {
      // kubectl reads the namespace after a NotFound, to say which of the two is missing.
      if (this.denied(res, 'get', 'namespaces', undefined, parts[3])) return;
      if (!this.namespaces().includes(parts[3]!)) {
        return sendStatus(res, 404, 'NotFound', `namespaces "${parts[3]}" not found`, {
          name: parts[3],
          kind: 'namespaces',
        });
      }
      return send(namespaceJson(parts[3]!));
    }
    if (parts.length === 3 && parts[2] === 'pods') {
      if (this.denied(res, 'list', 'pods', undefined)) return;
      return send(podList(this.pods));
    }
    if (parts[2] === 'namespaces' && parts[4] === 'pods') {
      const namespace = parts[3]!;
      if (parts.length === 5) {
        if (this.denied(res, 'list', 'pods', namespace)) return;
        return send(podList(this.pods.filter((p) => p.namespace === namespace)));
      }
      const pod = this.pods.find((p) => p.namespace === namespace && p.name === parts[5]);
      if (parts.length === 6) {
        if (this.denied(res, 'get', 'pods', namespace, parts[5])) return;
        if (!pod)
          return sendStatus(res, 404, 'NotFound', `pods "${parts[5]}" not found`, {
            name: parts[5],
            kind: 'pods',
          });
        return send(podJson(pod));
      }
      if (parts.length === 7 && (parts[6] === 'exec' || parts[6] === 'portforward')) {
        // A SPDY request (POST without an upgrade the server accepts) lands here after the WebSocket
        // attempt failed; answer as the API server would for the same checks.
        if (this.denied(res, 'create', `pods/${parts[6]}`, namespace, parts[5])) return;
        if (!pod)
          return sendStatus(res, 404, 'NotFound', `pods "${parts[5]}" not found`, {
            name: parts[5],
            kind: 'pods',
          });
        return sendStatus(res, 400, 'BadRequest', `test server: ${parts[6]} needs an upgrade it supports`);
      }
    }
    return sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
  }

  private namespaces(): string[] {
    return [...new Set(['default', 'kube-system', ...this.pods.map((p) => p.namespace)])].sort();
  }

  /**
   * Over TLS the token is required. client-go never sends a bearer token over plain http, so there a
   * request without credentials is accepted; a wrong token is refused either way.
   */
  private authorized(req: http.IncomingMessage): boolean {
    const header = req.headers.authorization;
    if (header === `Bearer ${TEST_TOKEN}`) {
      this.authenticatedRequests++;
      return true;
    }
    return header === undefined && !this.options.tls;
  }

  /** Answers 403 (the API's own wording) when a rule forbids this request. */
  private denied(
    res: http.ServerResponse | undefined,
    verb: ForbiddenRule['verb'],
    resource: string,
    namespace: string | undefined,
    name?: string,
  ): { status: number; body: unknown } | undefined {
    if (!this.forbidden.some((r) => r.verb === verb && r.resource === resource)) return undefined;
    const [group, sub] = resource.split('/');
    const subject = name ? `${group} "${name}"` : group;
    const scope = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
    const message = `${subject} is forbidden: User "${USER}" cannot ${verb} resource "${resource}" in API group ""${scope}`;
    const body = statusJson(403, 'Forbidden', message, { name, kind: sub ? group : resource });
    if (res) sendJson(res, 403, body);
    return { status: 403, body };
  }

  // --- streaming: exec and port-forward ---------------------------------------------------------

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean);
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      userAgent: req.headers['user-agent'],
    };
    this.requests.push(record);
    const fail = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    };
    if (!this.authorized(req)) return fail(401, statusJson(401, 'Unauthorized', 'Unauthorized'));
    const [namespace, name, action] = [parts[3], parts[5], parts[6]];
    if (parts[2] !== 'namespaces' || parts[4] !== 'pods' || (action !== 'exec' && action !== 'portforward')) {
      return fail(404, statusJson(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const deniedStatus = this.denied(undefined, 'create', `pods/${action}`, namespace, name);
    if (deniedStatus) return fail(deniedStatus.status, deniedStatus.body);
    const pod = this.pods.find((p) => p.namespace === namespace && p.name === name);
    if (!pod)
      return fail(404, statusJson(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }));

    if (action === 'exec') {
      if (upgrade === 'websocket') {
        if (this.execSpdyOnly) return fail(400, statusJson(400, 'BadRequest', 'WebSocket exec switched off'));
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          record.protocol = ws.protocol;
          void this.execWebSocket(pod, url.searchParams, ws);
        });
        return;
      }
      const offered = String(req.headers['x-stream-protocol-version'] ?? '')
        .split(',')
        .map((p) => p.trim());
      if (upgrade === 'spdy/3.1' && offered.includes('v4.channel.k8s.io')) {
        record.protocol = 'SPDY/3.1 v4.channel.k8s.io';
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
            'X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n',
        );
        return this.execSpdy(pod, url.searchParams, socket, head);
      }
      return fail(
        400,
        statusJson(400, 'BadRequest', `unsupported exec upgrade "${upgrade}" (${offered.join(', ')})`),
      );
    }

    if (upgrade === 'websocket') {
      if (this.portForwardSpdyOnly)
        return fail(400, statusJson(400, 'BadRequest', 'WebSocket port-forward switched off'));
      const offered = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim());
      if (!offered.includes(TUNNEL_PROTOCOL)) {
        return fail(
          400,
          statusJson(400, 'BadRequest', `unsupported port-forward protocols: ${offered.join(', ')}`),
        );
      }
      delete req.headers['sec-websocket-protocol'];
      this.tunnelWss.once('headers', (headers: string[]) =>
        headers.push(`Sec-WebSocket-Protocol: ${TUNNEL_PROTOCOL}`),
      );
      this.tunnelWss.handleUpgrade(req, socket, head, (ws) => {
        record.protocol = TUNNEL_PROTOCOL;
        const session = new SpdySession(
          (bytes) => ws.readyState === WebSocket.OPEN && ws.send(bytes),
          (stream) => this.forwardStream(pod, stream),
        );
        ws.on('message', (data: Buffer) => {
          try {
            session.receive(data);
          } catch (e) {
            console.error('SPDY', e);
          }
        });
        const drop = this.trackTunnel(() => ws.terminate());
        ws.on('close', () => {
          session.close();
          drop();
        });
      });
      return;
    }
    if (
      upgrade === 'spdy/3.1' &&
      String(req.headers['x-stream-protocol-version'] ?? '').includes('portforward.k8s.io')
    ) {
      record.protocol = 'SPDY/3.1 portforward.k8s.io';
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
          'X-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n',
      );
      const session = new SpdySession(
        (bytes) => !socket.destroyed && socket.write(bytes),
        (stream) => this.forwardStream(pod, stream),
      );
      if (head.length) session.receive(head);
      socket.on('data', (data: Buffer) => session.receive(data));
      const drop = this.trackTunnel(() => socket.destroy());
      socket.on('close', () => {
        session.close();
        drop();
      });
      socket.on('error', () => undefined);
      // http.Server sockets are half-open capable: end our side too, or 'close' never comes.
      socket.on('end', () => socket.end());
      return;
    }
    fail(400, statusJson(400, 'BadRequest', `unsupported upgrade "${upgrade}"`));
  }

  private trackTunnel(cut: () => void): () => void {
    let timer: NodeJS.Timeout | undefined;
    const drop = () => {
      if (timer) clearTimeout(timer);
      if (this.tunnels.delete(drop)) cut();
    };
    this.tunnels.add(drop);
    if (this.dropForwardsAfterMs !== undefined) timer = setTimeout(drop, this.dropForwardsAfterMs);
    // Closed by the client: forget it without cutting anything.
    return () => {
      if (timer) clearTimeout(timer);
      this.tunnels.delete(drop);
    };
  }

  /** One SPDY stream of a port-forward: kubelet pairs an error and a data stream per connection. */
  private forwardStream(pod: FakePod, stream: SpdyStream): void {
    const type = stream.headers.streamtype;
    if (type === 'error') {
      this.errorStreams.set(`${stream.headers.requestid}`, stream);
      return;
    }
    if (type !== 'data') return stream.reset();
    const errorStream = this.errorStreams.get(`${stream.headers.requestid}`);
    this.errorStreams.delete(`${stream.headers.requestid}`);
    const podPort = Number(stream.headers.port);
    const mapped = pod.ports?.[podPort];
    const localPort = typeof mapped === 'function' ? mapped() : mapped;
    const pending: Buffer[] = [];
    stream.onData = (data) => pending.push(data);
    const refuse = (why: string) => {
      errorStream?.write(
        Buffer.from(
          `failed to connect to localhost:${podPort} inside namespace "${pod.namespace}/${pod.name}", ` +
            `IPv4: dial tcp4 127.0.0.1:${podPort}: connect: ${why} IPv6 dial tcp6 [::1]:${podPort}: connect: ${why} `,
        ),
      );
      errorStream?.end();
      stream.end();
    };
    if (localPort === undefined) return refuse('connection refused');
    const socket = net.connect(localPort, '127.0.0.1');
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      stream.end();
      errorStream?.end();
    };
    socket.on('connect', () => {
      for (const data of pending.splice(0)) socket.write(data);
      stream.onData = (data) => socket.write(data);
    });
    socket.on('data', (data: Buffer) => stream.write(data));
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!ended && error.code === 'ECONNREFUSED') {
        ended = true;
        refuse('connection refused');
      }
    });
    stream.onEnd = (reset) => (reset ? socket.destroy() : socket.end());
  }

  private readonly errorStreams = new Map<string, SpdyStream>();

  /** Runs an exec request in the container view: its output and the Status for the error channel. */
  private async runExec(
    pod: FakePod,
    query: URLSearchParams,
  ): Promise<{ stdout: string; stderr: string; status: unknown }> {
    const containerName = query.get('container') ?? pod.containers[0]?.name;
    const container = pod.containers.find((c) => c.name === containerName);
    if (!container) {
      const status = statusJson(
        400,
        'BadRequest',
        `container ${containerName} is not valid for pod ${pod.name}`,
      );
      return { stdout: '', stderr: '', status };
    }
    if ((pod.phase ?? 'Running') !== 'Running') {
      return {
        stdout: '',
        stderr: '',
        status: statusJson(400, 'BadRequest', `container ${container.name} is not running`),
      };
    }
    const view = new ContainerView(
      path.join(this.root, `${pod.namespace}-${pod.name}-${container.name}-${randomUUID().slice(0, 8)}`),
      () => container.processes,
      () => container.imageKind ?? {},
      () => container.cgroup,
    );
    const command = query.getAll('command');
    const result = await view.exec(command);
    const status =
      result.exitCode === 0
        ? { metadata: {}, status: 'Success' }
        : {
            metadata: {},
            status: 'Failure',
            message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${result.exitCode}`,
            reason: 'NonZeroExitCode',
            details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] },
          };
    return { stdout: result.stdout, stderr: result.stderr, status };
  }

  /** exec over WebSocket (v5/v4.channel.k8s.io): one byte of channel id before each message. */
  private async execWebSocket(pod: FakePod, query: URLSearchParams, ws: WebSocket): Promise<void> {
    const result = await this.runExec(pod, query);
    const channel = (id: number, text: string) => {
      if (text && ws.readyState === WebSocket.OPEN) {
        ws.send(Buffer.concat([Buffer.from([id]), Buffer.from(text, 'utf8')]));
      }
    };
    channel(1, result.stdout);
    channel(2, result.stderr);
    channel(3, JSON.stringify(result.status));
    ws.close(1000);
  }

  /**
   * exec over SPDY (v4.channel.k8s.io; kubectl's fallback, and what kubectl < 1.30 uses): the client
   * opens an error stream and one stream per standard stream it asked for; the Status goes on the
   * error stream, and every stream is closed when the command ends.
   */
  private execSpdy(pod: FakePod, query: URLSearchParams, socket: Duplex, head: Buffer): void {
    const wanted = [
      'error',
      ...['stdin', 'stdout', 'stderr'].filter((s) => query.get(s) === 'true' || query.get(s) === '1'),
    ];
    const streams = new Map<string, SpdyStream>();
    let started = false;
    const session = new SpdySession(
      (bytes) => !socket.destroyed && socket.write(bytes),
      (stream) => {
        streams.set(stream.headers.streamtype ?? '', stream);
        if (started || !wanted.every((w) => streams.has(w))) return;
        started = true;
        void this.runExec(pod, query).then((result) => {
          const out = streams.get('stdout');
          const err = streams.get('stderr');
          if (result.stdout) out?.write(Buffer.from(result.stdout));
          if (result.stderr) err?.write(Buffer.from(result.stderr));
          out?.end();
          err?.end();
          const error = streams.get('error')!;
          error.write(Buffer.from(JSON.stringify(result.status)));
          error.end();
          setTimeout(() => socket.end(), 100);
        });
      },
    );
    if (head.length) session.receive(head);
    socket.on('data', (data: Buffer) => session.receive(data));
    socket.on('close', () => session.close());
    socket.on('end', () => socket.end());
    socket.on('error', () => undefined);
  }
}

const RESOURCE_LIST = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'v1',
  resources: [
    {
      name: 'namespaces',
      singularName: 'namespace',
      namespaced: false,
      kind: 'Namespace',
      verbs: ['get', 'list', 'watch'],
      shortNames: ['ns'],
    },
    {
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['get', 'list', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
    },
    {
      name: 'pods/exec',
      singularName: '',
      namespaced: true,
      kind: 'PodExecOptions',
      verbs: ['create', 'get'],
    },
    {
      name: 'pods/portforward',
      singularName: '',
      namespaced: true,
      kind: 'PodPortForwardOptions',
      verbs: ['create', 'get'],
    },
  ],
};

function namespaceJson(name: string) {
  return {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name, uid: `ns-${name}` },
    status: { phase: 'Active' },
  };
}

function podList(pods: FakePod[]) {
  return { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: pods.map(podJson) };
}

function podJson(pod: FakePod) {
  const phase = pod.phase ?? 'Running';
  const created = (pod.createdAt ?? new Date(Date.now() - 3600_000)).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name: pod.name,
      namespace: pod.namespace,
      uid: `uid-${pod.namespace}-${pod.name}`,
      creationTimestamp: created,
    },
    spec: { containers: pod.containers.map((c) => ({ name: c.name, image: c.image ?? 'node:20-slim' })) },
    status: {
      phase,
      startTime: created,
      podIP: '10.0.0.7',
      containerStatuses: pod.containers.map((c) => ({
        name: c.name,
        image: c.image ?? 'node:20-slim',
        ready: phase === 'Running',
        restartCount: 0,
        state:
          phase === 'Running'
            ? { running: { startedAt: created } }
            : { waiting: { reason: pod.waitingReason ?? 'ContainerCreating' } },
      })),
    },
  };
}

function statusJson(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details,
    code,
  };
}

function sendStatus(
  res: http.ServerResponse,
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): void {
  sendJson(res, code, statusJson(code, reason, message, details));
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A throwaway certificate for 127.0.0.1, valid one day. */
function selfSignedCertificate(dir: string): { key: string; cert: string } {
  const keyFile = path.join(dir, 'server.key');
  const certFile = path.join(dir, 'server.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=heapscope-test-apiserver',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}

/** Whether the openssl CLI is there to make the TLS certificate. */
export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
