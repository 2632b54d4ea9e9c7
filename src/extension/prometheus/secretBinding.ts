// Where a Prometheus secret may go. The endpoint list is the user's own setting only: a repository's
// .vscode/settings.json could otherwise reuse the name of the user's endpoint with its own URL (or
// verifyTls: false) and receive the stored token. Each secret is stored with the URL it was entered
// for; when the endpoint's URL no longer matches, the user is asked before it is sent anywhere.
// Pure (no vscode import): the extension passes VS Code's SecretStorage and a dialog.
import { HeapscopeError } from '../../core/errors';
import type { PromEndpointSetting } from '../../shared/prometheusTypes';
import { sanitizeEndpoints } from './model';

export const SECRET_SECTION = 'heapscope.prometheus';

/** The part of vscode.SecretStorage used here. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

/** What `getConfiguration().inspect('endpoints')` gives; only `globalValue` is the user's own. */
export interface InspectedSetting {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** The endpoints of the user settings; workspace and folder values are ignored, never merged. */
export function userEndpoints(inspected: InspectedSetting | undefined): PromEndpointSetting[] {
  return sanitizeEndpoints(inspected?.globalValue ?? []);
}

/** True when a workspace tries to set endpoints (the faces say they were ignored). */
export function workspaceSetsEndpoints(inspected: InspectedSetting | undefined): boolean {
  return inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined;
}

/** Kinds of secret an endpoint can have: 'token', 'password', 'header:<name>'. */
export function secretKinds(e: PromEndpointSetting): string[] {
  const kinds: string[] = [];
  if (e.auth === 'bearer') kinds.push('token');
  if (e.auth === 'basic') kinds.push('password');
  for (const header of e.headerNames ?? []) kinds.push(`header:${header}`);
  return kinds;
}

export const secretKey = (endpoint: string, kind: string): string => `${SECRET_SECTION}.${endpoint}.${kind}`;

/** URLs compared as the client uses them: scheme, host, port and path, a trailing slash ignored. */
export function sameEndpointUrl(a: string, b: string): boolean {
  const norm = (text: string) => {
    try {
      const u = new URL(text);
      return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
    } catch {
      return text;
    }
  };
  return norm(a) === norm(b);
}

interface BoundSecret {
  url: string;
  value: string;
}

function parseBound(raw: string): BoundSecret | { url: undefined; value: string } {
  try {
    const parsed = JSON.parse(raw) as Partial<BoundSecret> & { heapscopeSecret?: number };
    if (parsed.heapscopeSecret === 1 && typeof parsed.url === 'string' && typeof parsed.value === 'string')
      return { url: parsed.url, value: parsed.value };
  } catch {
    // A value stored before secrets were bound to a URL: plain text.
  }
  return { url: undefined, value: raw };
}

export async function storeBoundSecret(
  store: SecretStore,
  e: Pick<PromEndpointSetting, 'name' | 'url'>,
  kind: string,
  value: string,
): Promise<void> {
  await store.store(secretKey(e.name, kind), JSON.stringify({ heapscopeSecret: 1, url: e.url, value }));
}

export async function deleteBoundSecrets(store: SecretStore, e: PromEndpointSetting): Promise<void> {
  for (const kind of new Set(['token', 'password', ...secretKinds(e)]))
    await store.delete(secretKey(e.name, kind));
}

/**
 * The endpoint's secrets, by kind. When one was stored for another URL (or before URLs were bound),
 * `confirm` is asked once, naming both URLs: yes binds them to the new URL, no throws `cancelled`
 * and nothing is sent.
 */
export async function readBoundSecrets(
  store: SecretStore,
  e: PromEndpointSetting,
  confirm: (endpoint: PromEndpointSetting, storedFor: string | undefined) => PromiseLike<boolean>,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let storedFor: string | undefined;
  let mismatch = false;
  for (const kind of secretKinds(e)) {
    const raw = await store.get(secretKey(e.name, kind));
    if (raw === undefined) continue;
    const bound = parseBound(raw);
    found.set(kind, bound.value);
    if (bound.url === undefined || !sameEndpointUrl(bound.url, e.url)) {
      mismatch = true;
      storedFor ??= bound.url;
    }
  }
  if (!mismatch) return found;
  if (!(await confirm(e, storedFor)))
    throw new HeapscopeError(
      'cancelled',
      `The secrets of Prometheus endpoint "${e.name}" were not sent to ${e.url}: they were stored for ${storedFor ?? 'an unrecorded URL'}.`,
    );
  for (const [kind, value] of found) await storeBoundSecret(store, e, kind, value);
  return found;
}
