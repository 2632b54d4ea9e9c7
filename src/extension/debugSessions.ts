// Which debug sessions Heapscope follows. Read from js-debug's source (src/ui/debugSessionTracker.ts,
// src/sessionManager.ts): js-debug starts one "logical" parent session per launch.json entry and one
// concrete child session per target (process), whose configuration carries `__pendingTargetId`. Only a
// concrete session owns a CDP connection, so only its id may be given to
// `extension.js-debug.requestCDPProxy`; the parent would answer for no target at all.

/** The part of vscode.DebugSession this module needs (kept structural so it is testable without VS Code). */
export interface DebugSessionLike {
  id: string;
  type: string;
  name: string;
  configuration: { type?: string; request?: string; __pendingTargetId?: unknown; [key: string]: unknown };
  parentSession?: DebugSessionLike;
}

/** js-debug's Node debug types; `node` and `node-terminal` are the preferred aliases of `pwa-node`. */
export const NODE_DEBUG_TYPES: readonly string[] = ['pwa-node', 'node', 'node-terminal'];

export function isNodeDebugType(type: string): boolean {
  return NODE_DEBUG_TYPES.includes(type);
}

/** A js-debug session that owns a Node target, i.e. the one to ask for a CDP proxy. */
export function ownsNodeTarget(session: DebugSessionLike): boolean {
  return isNodeDebugType(session.type) && Boolean(session.configuration.__pendingTargetId);
}

/** The top of a session's parent chain: its launch.json entry's name, for labels. */
export function rootSession(session: DebugSessionLike): DebugSessionLike {
  let current = session;
  while (current.parentSession) current = current.parentSession;
  return current;
}

/** "api server › server.js [1234]" when the child has its own name, else the root's name. */
export function debugSessionLabel(session: DebugSessionLike): string {
  const root = rootSession(session);
  // js-debug names children "server.js [4242] « Debug server": the parent's name is already ours.
  const own = session.name.replace(/\s+«\s+.*$/, '');
  if (root === session || root.name === own) return own;
  return `${root.name} › ${own}`;
}

/**
 * js-debug's profile events (DAP custom events seen by a DebugAdapterTracker): it runs one profile at
 * a time, and its heap profile uses the same sampling heap profiler Heapscope reads. Returns a message
 * for the user when such an event means Heapscope's allocation sampling is affected, else undefined.
 */
export function jsDebugProfileMessage(event: { event?: string; body?: unknown }): string | undefined {
  if (event.event === 'profileStarted') {
    const type = (event.body as { type?: string } | undefined)?.type;
    if (type === 'heap')
      return "js-debug's own heap profile is running: it shares V8's one sampling heap profiler with Heapscope, so suspects pause until it ends.";
    if (type === 'memory')
      return "js-debug is taking a heap snapshot: the target pauses while it is written, and Heapscope's readings pause with it.";
  }
  return undefined;
}

/** js-debug says its profile ended (profilerStateUpdate with running: false). */
export function jsDebugProfileEnded(event: { event?: string; body?: unknown }): boolean {
  return (
    event.event === 'profilerStateUpdate' &&
    (event.body as { running?: boolean } | undefined)?.running === false
  );
}

/** `{ host, port, path }` from requestCDPProxy -> the chrome-remote-interface target URL. */
export function cdpProxyUrl(proxy: { host: string; port: number; path: string }): string {
  const host = proxy.host.includes(':') && !proxy.host.startsWith('[') ? `[${proxy.host}]` : proxy.host;
  const path = proxy.path.startsWith('/') ? proxy.path : `/${proxy.path}`;
  return `ws://${host}:${proxy.port}${path}`;
}
