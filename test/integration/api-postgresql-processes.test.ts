import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadEnvironment } from '../../server/environment.js';
import { startTestPostgres, type TestPostgres } from '../harness/postgres-server.js';
import { startRegattaProcess, type RegattaProcess } from '../harness/regatta-process.js';
import { startTestTemporal, type TestTemporal } from '../harness/temporal-server.js';
import { call, type Reply } from './api-test-server.js';

const adminPassword = 'two-processes-admin';
const admin = `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}`;
const startedLine = /Regatta API: http:\/\/localhost:(\d+)/;

function statuses(replies: Reply[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of replies) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

describe('two `regatta api` processes on one PostgreSQL database', () => {
  let temporal: TestTemporal;
  let postgres: TestPostgres;
  const dataDirs: string[] = [];
  const processes: RegattaProcess[] = [];
  /** The two APIs, each with its own data folder, as on two machines. */
  const apis: Array<{ url: string }> = [];

  /** `regatta api` with this DATABASE_URL; the rest as every test process has it. */
  const startApi = (databaseUrl: string) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'regatta-api-process-'));
    dataDirs.push(dataDir);
    const started = startRegattaProcess(
      'api',
      loadEnvironment({
        DATABASE_URL: databaseUrl,
        REGATTA_DATA_DIR: dataDir,
        REGATTA_SECRET_KEY: 'two-processes-secret-key',
        REGATTA_ADMIN_PASSWORD: adminPassword,
        TEMPORAL_ADDRESS: temporal.address,
        REGATTA_API_HOST: '127.0.0.1',
        REGATTA_API_PORT: '0',
      }),
      startedLine,
    );
    processes.push(started);
    return started;
  };

  before(async () => {
    [temporal, postgres] = await Promise.all([startTestTemporal(), startTestPostgres()]);
    // Both start at once, so both migrate the empty database at once.
    const ports = await Promise.all(
      [startApi(postgres.url), startApi(postgres.url)].map(({ ready }) => ready),
    );
    apis.push(...ports.map(([, port]) => ({ url: `http://127.0.0.1:${port}` })));
  });
  after(async () => {
    for (const started of processes) await started.kill('SIGKILL');
    await postgres?.stop();
    await temporal?.stop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  /** `count` requests spread over both processes, all in flight together. */
  const concurrently = (count: number, request: (api: { url: string }, index: number) => Promise<Reply>) =>
    Promise.all(Array.from({ length: count }, (_, index) => request(apis[index % 2]!, index)));

  const create = async (path: string, body: object): Promise<number> => {
    const reply = await call(apis[0]!, 'POST', path, { auth: admin, body });
    assert.equal(reply.status, 201, reply.text);
    return Number(reply.headers.get('location')!.split('/').pop());
  };

  const policyBody = (name: string, source: number, destination: number, description = '') => ({
    name,
    description,
    src_registry: { id: source },
    dest_registry: { id: destination },
    trigger: { type: 'manual' },
    filters: [{ type: 'name', value: 'library/**' }],
  });

  it('creates – one name through both processes at once: one 201, the rest 409', async () => {
    const registries = await concurrently(12, (api) =>
      call(api, 'POST', '/api/v2.0/registries', {
        auth: admin,
        body: { name: 'contested', url: 'http://contested.example' },
      }),
    );
    assert.deepEqual(statuses(registries), { 201: 1, 409: 11 });

    const hq = await create('/api/v2.0/registries', { name: 'hq', url: 'http://hq.example' });
    const dr = await create('/api/v2.0/registries', { name: 'dr', url: 'http://dr.example' });
    const policies = await concurrently(12, (api) =>
      call(api, 'POST', '/api/v2.0/replication/policies', {
        auth: admin,
        body: policyBody('contested-policy', hq, dr),
      }),
    );
    assert.deepEqual(statuses(policies), { 201: 1, 409: 11 });
    const listed = await call(apis[1]!, 'GET', '/api/v2.0/replication/policies?q=name=contested-policy', {
      auth: admin,
    });
    assert.equal(listed.headers.get('x-total-count'), '1');
  });

  it('updates – different fields and different records through both processes at once: nothing lost', async () => {
    const ids: number[] = [];
    for (let index = 0; index < 6; index += 1) {
      ids.push(await create('/api/v2.0/registries', { name: `site-${index}`, url: 'http://site.example' }));
    }
    const fieldUpdates = [
      (id: number) => ({ description: `site ${id}` }),
      (id: number) => ({ url: `http://site-${id}.example` }),
      () => ({ insecure: true }),
    ];
    const updates = ids.flatMap((id) => fieldUpdates.map((update) => ({ id, body: update(id) })));
    const replies = await concurrently(updates.length, (api, index) =>
      call(api, 'PUT', `/api/v2.0/registries/${updates[index]!.id}`, {
        auth: admin,
        body: updates[index]!.body,
      }),
    );
    assert.deepEqual(statuses(replies), { 200: updates.length });
    for (const id of ids) {
      const { description, url, insecure } = (
        await call(apis[1]!, 'GET', `/api/v2.0/registries/${id}`, { auth: admin })
      ).body as Record<string, unknown>;
      assert.deepEqual(
        { description, url, insecure },
        { description: `site ${id}`, url: `http://site-${id}.example`, insecure: true },
      );
    }

    const policies: number[] = [];
    for (let index = 0; index < 6; index += 1) {
      policies.push(
        await create('/api/v2.0/replication/policies', policyBody(`sync-${index}`, ids[0]!, ids[1]!)),
      );
    }
    const policyReplies = await concurrently(policies.length, (api, index) =>
      call(api, 'PUT', `/api/v2.0/replication/policies/${policies[index]}`, {
        auth: admin,
        body: policyBody(`sync-${index}`, ids[0]!, ids[index % 2 === 0 ? 2 : 3]!, `policy ${index}`),
      }),
    );
    assert.deepEqual(statuses(policyReplies), { 200: policies.length });
    for (const [index, id] of policies.entries()) {
      const policy = (await call(apis[0]!, 'GET', `/api/v2.0/replication/policies/${id}`, { auth: admin }))
        .body as { description: string; dest_registries: Array<{ id: number }> };
      assert.equal(policy.description, `policy ${index}`);
      assert.deepEqual(
        policy.dest_registries.map((registry) => registry.id),
        [ids[index % 2 === 0 ? 2 : 3]],
      );
    }
  });

  it('start-up – a refused DATABASE_URL stops `regatta api` without showing its password', async () => {
    const wrongPassword = 'not-the-password-4d1c';
    const refused = startApi(postgres.url.replace(postgres.password, wrongPassword));
    await assert.rejects(refused.ready, (error: Error) => {
      assert.match(error.message, /exited \(1\)/);
      assert.match(
        error.message,
        /cannot connect to PostgreSQL at postgres:\/\/regatta:\*{5}@127\.0\.0\.1:\d+\/regatta/,
      );
      assert.ok(!error.message.includes(wrongPassword), error.message);
      return true;
    });
  });
});
