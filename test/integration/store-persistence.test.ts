import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../cli/logger.js';
import { errorCode } from '../../errors/regatta-error.js';
import type { PolicyDefinition } from '../../policies/index.js';
import { openStore, type Store } from '../../store/index.js';

const logger = createLogger({ level: 'silent' });
const accessSecret = 'store-test-access-secret-3f9a';
const webhookSecret = 'store-test-webhook-secret-77c1';

function definition(name: string, source: number, destinations: number[]): PolicyDefinition {
  return {
    name,
    description: '',
    src_registry_id: source,
    dest_registry_ids: destinations,
    dest_namespace: '',
    dest_namespace_replace_count: -1,
    trigger: { type: 'scheduled', trigger_settings: { cron: '0 0 */2 * * *' } },
    filters: [{ type: 'name', value: 'production/**' }],
    replicate_deletion: false,
    override: true,
    enabled: true,
    speed: -1,
    copy_by_chunk: false,
    single_active_replication: false,
    replicate_referrers: true,
  };
}

async function rejectsWith(promise: Promise<unknown>, code: string, field?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal(errorCode(error), code);
    if (field !== undefined) assert.equal((error as { field?: string }).field, field);
    return true;
  });
}

describe('store on a real SQLite file', () => {
  let dataDir: string;
  let store: Store;
  let hq: number;
  let dr: number;
  let edge: number;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'regatta-store-'));
    store = await openStore({ dataDir, logger });
    hq = (
      await store.registries.create({
        name: 'hq',
        url: 'https://hq.example:5000/',
        credential: { type: 'basic', access_key: 'robot', access_secret: accessSecret },
        webhook_secret: webhookSecret,
      })
    ).id;
    dr = (await store.registries.create({ name: 'dr', url: 'http://dr.example' })).id;
    edge = (await store.registries.create({ name: 'edge', url: 'http://edge.example' })).id;
  });
  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('registries – keep secrets sealed in the file and open them for activities', async () => {
    for (const file of await readdir(dataDir)) {
      const bytes = await readFile(join(dataDir, file));
      assert.ok(!bytes.includes(accessSecret), `${file} holds the access secret in clear`);
      assert.ok(!bytes.includes(webhookSecret), `${file} holds the webhook secret in clear`);
    }
    const record = await store.registries.get(hq);
    assert.deepEqual(record.credential, { type: 'basic', access_key: 'robot', has_secret: true });
    assert.ok(!JSON.stringify(record).includes(accessSecret));
    const withCredentials = await store.registries.getWithCredentials(hq);
    assert.deepEqual(withCredentials.credentials, { username: 'robot', password: accessSecret });
    assert.equal(await store.registries.verifyWebhookSecret(hq, webhookSecret), true);
    assert.equal(await store.registries.verifyWebhookSecret(hq, 'wrong'), false);
    assert.equal(await store.registries.verifyWebhookSecret(dr, ''), false);
  });

  it('registries – the key file is private to its owner', async () => {
    assert.equal((await stat(join(dataDir, 'secret.key'))).mode & 0o777, 0o600);
  });

  it('registries – names are unique, unknown ids are NOT_FOUND', async () => {
    await rejectsWith(store.registries.create({ name: 'hq', url: 'http://other' }), 'CONFLICT', 'name');
    await rejectsWith(store.registries.update(dr, { name: 'hq' }), 'CONFLICT', 'name');
    await rejectsWith(store.registries.get(9999), 'NOT_FOUND');
    await rejectsWith(store.registries.update(9999, {}), 'NOT_FOUND');
    await rejectsWith(store.registries.delete(9999), 'NOT_FOUND');
  });

  it('registries – update keeps a masked secret and replaces a new one', async () => {
    await store.registries.update(hq, { access_secret: '*****', description: 'headquarters' });
    assert.deepEqual((await store.registries.getWithCredentials(hq)).credentials, {
      username: 'robot',
      password: accessSecret,
    });
    const other = await store.registries.create({
      name: 'temp',
      url: 'http://temp.example',
      credential: { type: 'basic', access_key: 'a', access_secret: 'first' },
    });
    await store.registries.update(other.id, {
      credential: { type: 'basic', access_key: 'b', access_secret: 'second' },
    });
    assert.deepEqual((await store.registries.getWithCredentials(other.id)).credentials, {
      username: 'b',
      password: 'second',
    });
    await store.registries.delete(other.id);
  });

  it('registries – read credentials from a Docker config.json', async () => {
    const configPath = join(dataDir, 'docker-config.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      configPath,
      JSON.stringify({
        auths: { 'cfg.example:5000': { auth: Buffer.from('cfguser:cfgpass').toString('base64') } },
      }),
    );
    const registry = await store.registries.create({
      name: 'from-config',
      url: 'https://cfg.example:5000',
      credential: { type: 'docker_config', config_path: configPath },
    });
    assert.deepEqual((await store.registries.getWithCredentials(registry.id)).credentials, {
      username: 'cfguser',
      password: 'cfgpass',
    });
    await store.registries.delete(registry.id);
  });

  it('policies – unique names, registries that exist, and registries kept while in use', async () => {
    const policy = await store.policies.create(definition('to-sites', hq, [dr, edge]));
    assert.deepEqual(policy.dest_registry_ids, [dr, edge]);
    await rejectsWith(store.policies.create(definition('to-sites', hq, [dr])), 'CONFLICT', 'name');
    await rejectsWith(
      store.policies.create(definition('bad-source', 9999, [dr])),
      'INVALID_INPUT',
      'src_registry.id',
    );
    await rejectsWith(
      store.policies.create(definition('bad-dest', hq, [9999])),
      'INVALID_INPUT',
      'dest_registry.id',
    );
    await rejectsWith(
      store.policies.create(definition('bad-dests', hq, [dr, 9999])),
      'INVALID_INPUT',
      'dest_registries',
    );
    await rejectsWith(store.registries.delete(edge), 'PRECONDITION');
    await rejectsWith(store.registries.delete(hq), 'PRECONDITION');

    const updated = await store.policies.update(policy.id, definition('to-sites', hq, [dr]));
    assert.deepEqual(updated.dest_registry_ids, [dr]);
    assert.equal(updated.creation_time, policy.creation_time);
    const spare = await store.registries.create({ name: 'spare', url: 'http://spare.example' });
    await store.registries.delete(spare.id);
    await rejectsWith(store.policies.update(9999, definition('x', hq, [dr])), 'NOT_FOUND');
  });

  it('lists – filter exact and fuzzy, sort, and page with a total', async () => {
    for (const name of ['alpha-site', 'beta-site', 'gamma-site']) {
      await store.registries.create({ name, url: `http://${name}.example` });
    }
    const fuzzy = await store.registries.list({
      fuzzy: [{ field: 'name', value: 'SITE' }],
      sort: [{ field: 'name', descending: true }],
    });
    assert.equal(fuzzy.total, 3);
    assert.deepEqual(
      fuzzy.items.map((item) => item.name),
      ['gamma-site', 'beta-site', 'alpha-site'],
    );
    const exact = await store.registries.list({ exact: [{ field: 'name', value: 'beta-site' }] });
    assert.deepEqual(
      exact.items.map((item) => item.name),
      ['beta-site'],
    );
    const page = await store.registries.list({ page: 2, pageSize: 2 });
    assert.equal(page.total, 6);
    assert.deepEqual(
      page.items.map((item) => item.name),
      ['edge', 'alpha-site'],
    );
    const literal = await store.registries.list({ fuzzy: [{ field: 'name', value: '%' }] });
    assert.equal(literal.total, 0, 'a % in a fuzzy value is a literal');
    const enabled = await store.policies.list({ exact: [{ field: 'enabled', value: true }] });
    assert.equal(enabled.total, 1);
  });

  it('executions – map integer ids to workflow ids, idempotently', async () => {
    const first = await store.executions.create({
      policyId: 1,
      workflowId: 'to-sites/manual/1',
      trigger: 'manual',
    });
    const again = await store.executions.create({
      policyId: 1,
      workflowId: 'to-sites/manual/1',
      trigger: 'manual',
    });
    const second = await store.executions.create({
      policyId: 2,
      workflowId: 'other/event/2',
      runId: 'run-2',
      trigger: 'event_based',
    });
    assert.equal(again.id, first.id);
    assert.deepEqual(await store.executions.get(second.id), second);
    assert.deepEqual(await store.executions.getByWorkflowId('to-sites/manual/1'), first);
    assert.equal(await store.executions.getByWorkflowId('nothing'), undefined);
    const forPolicy = await store.executions.list({ policyId: 1 });
    assert.deepEqual(
      forPolicy.items.map((item) => item.id),
      [first.id],
    );
    const newestFirst = await store.executions.list({});
    assert.deepEqual(
      newestFirst.items.map((item) => item.id),
      [second.id, first.id],
    );
    await rejectsWith(store.executions.get(9999), 'NOT_FOUND');
  });

  it('tokens – are shown once, kept as hashes, and stop working when deleted', async () => {
    const { token, record } = await store.tokens.create({ name: 'ci', role: 'viewer' });
    assert.match(token, /^rgt_/);
    assert.deepEqual(await store.tokens.authenticate(token), record);
    assert.equal(await store.tokens.authenticate(`${token}x`), undefined);
    assert.equal(await store.tokens.authenticate('not-a-token'), undefined);
    await rejectsWith(store.tokens.create({ name: 'ci', role: 'admin' }), 'CONFLICT', 'name');
    const bytes = await readFile(join(dataDir, 'regatta.db-wal')).catch(() => Buffer.alloc(0));
    assert.ok(!bytes.includes(token));
    await store.tokens.delete(record.id);
    assert.equal(await store.tokens.authenticate(token), undefined);
  });

  it('reopening – keeps everything, and refuses another secret key', async () => {
    const registries = await store.registries.list({ pageSize: 100 });
    const policies = await store.policies.all();
    await store.close();
    store = await openStore({ dataDir, logger });
    assert.deepEqual(await store.registries.list({ pageSize: 100 }), registries);
    assert.deepEqual(await store.policies.all(), policies);
    assert.deepEqual((await store.registries.getWithCredentials(hq)).credentials, {
      username: 'robot',
      password: accessSecret,
    });
    await rejectsWith(
      openStore({ dataDir, logger, secretKey: 'another key entirely' }),
      'SECRET_KEY_MISMATCH',
    );
  });

  it('opening – PostgreSQL is refused clearly until it is supported', async () => {
    await rejectsWith(
      openStore({ dataDir, logger, databaseUrl: 'postgres://localhost/regatta' }),
      'ENVIRONMENT',
    );
  });
});
