import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { DialectKind } from '../../store/dialect.js';
import { startTestPostgres, type TestPostgres } from '../harness/postgres-server.js';
import { storeEngines } from '../harness/store-engines.js';
import { call, startApiTestServer, type ApiTestServer } from './api-test-server.js';
import { storedCredentials } from '../harness/stored-credentials.js';

function restartTests(engine: DialectKind): void {
  let postgres: TestPostgres | undefined;
  let api: ApiTestServer | undefined;
  after(async () => {
    await api?.stop();
    await postgres?.stop();
  });

  it('keeps – registries, policies, secrets, tokens and the admin password', async () => {
    if (engine === 'postgresql') postgres = await startTestPostgres();
    const databaseUrl = postgres?.url;
    api = await startApiTestServer({ databaseUrl });
    const { dataDir, adminPassword } = api;
    assert.equal((await stat(join(dataDir, 'admin-password'))).mode & 0o777, 0o600);
    const post = async (path: string, body: object) => {
      const reply = await call(api!, 'POST', path, { auth: api!.admin, body });
      assert.equal(reply.status, 201, reply.text);
      return reply;
    };
    await post('/api/v2.0/registries', {
      name: 'hq',
      url: 'https://127.0.0.1:5443',
      credential: { type: 'basic', access_key: 'robot', access_secret: 'restart-secret' },
      webhook_secret: 'restart-webhook-secret',
    });
    await post('/api/v2.0/registries', { name: 'dr', url: 'http://127.0.0.1:5002' });
    await post('/api/v2.0/registries', { name: 'edge', url: 'http://127.0.0.1:5003' });
    await post('/api/v2.0/replication/policies', {
      name: 'fan-out',
      src_registry: { id: 1 },
      dest_registries: [{ id: 2 }, { id: 3 }],
      trigger: { type: 'scheduled', trigger_settings: { cron: '0 30 2 * * *' } },
      filters: [{ type: 'tag', value: 'v2.[4-7].*', decoration: 'matches' }],
      platforms: [{ os: 'linux', architecture: 'arm64' }],
      mirror: { prune: true, max_delete_ratio: 0.1, protect: ['release-*'] },
    });
    const token = (
      (await post('/api/v2.0/tokens', { name: 'viewer', role: 'viewer' })).body as { token: string }
    ).token;
    const execution = await api.store.executions.create({
      policyId: 1,
      workflowId: 'fan-out/manual/1',
      trigger: 'manual',
    });
    const read = async (server: ApiTestServer) =>
      Promise.all(
        [
          '/api/v2.0/registries',
          '/api/v2.0/replication/policies',
          '/api/v2.0/replication/policies/1',
          '/api/v2.0/tokens',
        ].map(async (path) => (await call(server, 'GET', path, { auth: server.admin })).text),
      );
    const before = await read(api);
    await api.close();

    api = await startApiTestServer({ dataDir, databaseUrl });
    assert.equal(api.adminPassword, adminPassword);
    assert.deepEqual(await read(api), before);
    assert.equal((await call(api, 'GET', '/api/v2.0/registries', { auth: `Bearer ${token}` })).status, 200);
    assert.deepEqual(await storedCredentials(api.store, 1), {
      username: 'robot',
      password: 'restart-secret',
    });
    assert.equal(await api.store.registries.verifyWebhookSecret(1, 'restart-webhook-secret'), true);
    assert.deepEqual(await api.store.executions.getByWorkflowId('fan-out/manual/1'), execution);
  });
}

for (const engine of storeEngines) {
  describe(`API restart – keeps everything on the real store (${engine})`, () => restartTests(engine));
}
