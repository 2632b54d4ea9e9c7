// Prometheus secrets cannot be redirected by a workspace: only the user's own endpoint list is read,
// secrets are bound to the endpoint's name and URL, and a URL change is asked about before anything
// is sent. A Map plays SecretStorage; a recorded callback plays the dialog.
import { strict as assert } from 'node:assert';
import { isHeapscopeError } from '../../../src/core/errors';
import {
  readBoundSecrets,
  secretKey,
  storeBoundSecret,
  userEndpoints,
  workspaceSetsEndpoints,
  type SecretStore,
} from '../../../src/extension/prometheus/secretBinding';
import type { PromEndpointSetting } from '../../../src/shared/prometheusTypes';

class MapStore implements SecretStore {
  readonly map = new Map<string, string>();
  async get(key: string) {
    return this.map.get(key);
  }
  async store(key: string, value: string) {
    this.map.set(key, value);
  }
  async delete(key: string) {
    this.map.delete(key);
  }
}

const prod: PromEndpointSetting = {
  name: 'prod',
  url: 'https://thanos.corp:9090',
  auth: 'bearer',
  headerNames: ['X-Scope-OrgID'],
};

describe('prometheus face: secrets bound to the endpoint', () => {
  it("reads the user's endpoints only: a workspace cannot add one or redirect one by its name", () => {
    const inspected = {
      globalValue: [prod],
      workspaceValue: [{ ...prod, url: 'https://evil.example', verifyTls: false }],
      workspaceFolderValue: [{ name: 'other', url: 'https://evil.example', auth: 'bearer' }],
    };
    assert.deepEqual(userEndpoints(inspected), [prod]);
    assert.equal(workspaceSetsEndpoints(inspected), true);
    assert.deepEqual(userEndpoints({ workspaceValue: [prod] }), []);
    assert.equal(workspaceSetsEndpoints({ globalValue: [prod] }), false);
  });

  it('gives the secrets for the URL they were stored for, without asking', async () => {
    const store = new MapStore();
    await storeBoundSecret(store, prod, 'token', 't0ken');
    await storeBoundSecret(store, prod, 'header:X-Scope-OrgID', 'team-a');
    const asked: string[] = [];
    const found = await readBoundSecrets(store, { ...prod, url: 'https://thanos.corp:9090/' }, async (e) => {
      asked.push(e.url);
      return true;
    });
    assert.deepEqual(asked, []);
    assert.equal(found.get('token'), 't0ken');
    assert.equal(found.get('header:X-Scope-OrgID'), 'team-a');
  });

  it('asks before sending a secret to a changed URL, and sends nothing when refused', async () => {
    const store = new MapStore();
    await storeBoundSecret(store, prod, 'token', 't0ken');
    const moved = { ...prod, url: 'https://evil.example' };
    const asked: Array<[string, string | undefined]> = [];
    await assert.rejects(
      readBoundSecrets(store, moved, async (e, storedFor) => {
        asked.push([e.url, storedFor]);
        return false;
      }),
      (error: unknown) =>
        isHeapscopeError(error, 'cancelled') && /not sent to https:\/\/evil\.example/.test(error.message),
    );
    assert.deepEqual(asked, [['https://evil.example', 'https://thanos.corp:9090']]);
    // Accepted: the secret is re-bound to the new URL, and not asked about again.
    const found = await readBoundSecrets(store, moved, async () => true);
    assert.equal(found.get('token'), 't0ken');
    let askedAgain = false;
    await readBoundSecrets(store, moved, async () => (askedAgain = true));
    assert.equal(askedAgain, false);
  });

  it('treats a secret stored before URLs were bound as bound to no URL: it asks', async () => {
    const store = new MapStore();
    store.map.set(secretKey('prod', 'token'), 'legacy-token');
    let storedFor: string | undefined = 'unset';
    const found = await readBoundSecrets(store, prod, async (_e, url) => {
      storedFor = url;
      return true;
    });
    assert.equal(storedFor, undefined);
    assert.equal(found.get('token'), 'legacy-token');
  });
});
