// Prometheus endpoints: the list lives in the user setting `heapscope.prometheus.endpoints` (URL,
// name, auth kind, header names — nothing secret; application scope, and only the user's own value is
// read); tokens, passwords and header values live in VS Code's SecretStorage, bound to the endpoint's
// name and URL (./secretBinding.ts), and are only read to build a request.
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { PromEndpoint } from '../../core/prometheus';
import type { PromEndpointSetting } from '../../shared/prometheusTypes';
import {
  deleteBoundSecrets,
  readBoundSecrets,
  storeBoundSecret,
  userEndpoints,
  workspaceSetsEndpoints,
} from './secretBinding';

const SECTION = 'heapscope.prometheus';

let warnedWorkspace = false;

/** The user's endpoints; a workspace's value is ignored (it could redirect the stored secrets). */
export function readEndpoints(): PromEndpointSetting[] {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown>('endpoints');
  if (workspaceSetsEndpoints(inspected) && !warnedWorkspace) {
    warnedWorkspace = true;
    void vscode.window.showWarningMessage(
      'Heapscope: this workspace sets heapscope.prometheus.endpoints; it was ignored. Endpoints are read from your user settings only, so a repository cannot redirect your stored credentials.',
    );
  }
  return userEndpoints(inspected);
}

/** Writes the user setting; the list given is the user's own (never merged with workspace values). */
export async function writeEndpoints(list: PromEndpointSetting[]): Promise<void> {
  await vscode.workspace
    .getConfiguration(SECTION)
    .update('endpoints', list, vscode.ConfigurationTarget.Global);
}

export async function storeSecret(
  secrets: vscode.SecretStorage,
  endpoint: Pick<PromEndpointSetting, 'name' | 'url'>,
  what: string,
  value: string,
): Promise<void> {
  await storeBoundSecret(secrets, endpoint, what, value);
}

export async function deleteSecrets(secrets: vscode.SecretStorage, e: PromEndpointSetting): Promise<void> {
  await deleteBoundSecrets(secrets, e);
}

async function confirmUrlChange(e: PromEndpointSetting, storedFor: string | undefined): Promise<boolean> {
  const send = 'Send them';
  const answer = await vscode.window.showWarningMessage(
    `Heapscope: the credentials of Prometheus endpoint "${e.name}" were stored for ${storedFor ?? 'an unrecorded URL'}; the endpoint now points to ${e.url}. Send them to ${e.url}?`,
    { modal: true },
    send,
  );
  return answer === send;
}

/** The endpoint with its secrets, for one request batch; never stored anywhere. */
export async function resolveEndpoint(
  secrets: vscode.SecretStorage,
  e: PromEndpointSetting,
): Promise<PromEndpoint> {
  const found = await readBoundSecrets(secrets, e, confirmUrlChange);
  const headers: Record<string, string> = {};
  for (const name of e.headerNames ?? []) {
    const value = found.get(`header:${name}`);
    if (value !== undefined) headers[name] = value;
  }
  const endpoint: PromEndpoint = { url: e.url, headers, verifyTls: e.verifyTls !== false };
  if (e.auth === 'bearer') endpoint.auth = { kind: 'bearer', token: found.get('token') ?? '' };
  if (e.auth === 'basic')
    endpoint.auth = { kind: 'basic', user: e.user ?? '', password: found.get('password') ?? '' };
  if (e.caFile) endpoint.ca = await readFile(e.caFile);
  return endpoint;
}

/** "Add Prometheus endpoint…": URL, name, auth kind and secret, extra headers. */
export async function addEndpointFlow(
  secrets: vscode.SecretStorage,
): Promise<PromEndpointSetting | undefined> {
  const url = await vscode.window.showInputBox({
    title: 'Add Prometheus endpoint (1/4): URL',
    prompt:
      'Base URL of a Prometheus-compatible API (Prometheus, Thanos, Mimir/Cortex, VictoriaMetrics), without /api/v1',
    placeHolder: 'http://prometheus.monitoring:9090',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        const u = new URL(v);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'http:// or https://';
        if (u.username || u.password)
          return 'No credentials in the URL: choose an auth kind next (kept in SecretStorage).';
        return undefined;
      } catch {
        return 'Not a URL';
      }
    },
  });
  if (!url) return undefined;
  const existing = readEndpoints();
  const name = await vscode.window.showInputBox({
    title: 'Add Prometheus endpoint (2/4): name',
    value: new URL(url).host,
    ignoreFocusOut: true,
    validateInput: (v) =>
      !v.trim() ? 'A name' : existing.some((e) => e.name === v.trim()) ? 'Already used' : undefined,
  });
  if (!name) return undefined;
  const authPick = await vscode.window.showQuickPick(
    [
      { label: 'No authentication', value: 'none' as const },
      { label: 'Bearer token', description: 'kept in VS Code SecretStorage', value: 'bearer' as const },
      {
        label: 'Basic auth (user + password)',
        description: 'password kept in VS Code SecretStorage',
        value: 'basic' as const,
      },
    ],
    { title: 'Add Prometheus endpoint (3/4): authentication', ignoreFocusOut: true },
  );
  if (!authPick) return undefined;
  const setting: PromEndpointSetting = { name: name.trim(), url, auth: authPick.value };
  if (authPick.value === 'bearer') {
    const token = await vscode.window.showInputBox({
      title: 'Bearer token',
      password: true,
      ignoreFocusOut: true,
    });
    if (token === undefined) return undefined;
    await storeSecret(secrets, setting, 'token', token);
  } else if (authPick.value === 'basic') {
    const user = await vscode.window.showInputBox({ title: 'Basic auth user', ignoreFocusOut: true });
    if (user === undefined) return undefined;
    const password = await vscode.window.showInputBox({
      title: `Password for ${user}`,
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return undefined;
    setting.user = user;
    await storeSecret(secrets, setting, 'password', password);
  }
  const headerNames: string[] = [];
  for (;;) {
    const header = await vscode.window.showInputBox({
      title: 'Add Prometheus endpoint (4/4): extra header (optional)',
      prompt:
        'e.g. "X-Scope-OrgID: team-a" for Mimir/Cortex. Empty to finish. Values are kept in SecretStorage.',
      ignoreFocusOut: true,
      validateInput: (v) => (!v || /^[A-Za-z0-9-]+\s*:\s*\S/.test(v) ? undefined : 'Name: value'),
    });
    if (!header) break;
    const i = header.indexOf(':');
    const hname = header.slice(0, i).trim();
    headerNames.push(hname);
    await storeSecret(secrets, setting, `header:${hname}`, header.slice(i + 1).trim());
  }
  if (headerNames.length) setting.headerNames = headerNames;
  if (url.startsWith('https:')) setting.verifyTls = true;
  await writeEndpoints([...existing, setting]);
  return setting;
}
