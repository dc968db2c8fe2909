import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../server/logger.js';
import { errorCode } from '../../errors/regatta-error.js';
import { ExecutionSummary, ReplicationTask } from '../../contract/index.js';
import type { PolicyDefinition } from '../../policies/index.js';
import type { DialectKind } from '../../store/dialect.js';
import { openStore, type Store } from '../../store/index.js';
import { startTestPostgres, type TestPostgres } from '../harness/postgres-server.js';
import { storeEngines } from '../harness/store-engines.js';
import { storedCredentials } from '../harness/stored-credentials.js';

const logger = createLogger({ level: 'silent' });
const accessSecret = 'store-test-access-secret-3f9a';
const webhookSecret = 'store-test-webhook-secret-77c1';
const receiverToken = 'Bearer store-test-receiver-token-5d2e';
const hmacSecret = 'store-test-hmac-secret-90ab';

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

/** The same tests on a SQLite file and on a PostgreSQL database. */
function storeTests(engine: DialectKind): void {
  let dataDir: string;
  let postgres: TestPostgres | undefined;
  let databaseUrl: string | undefined;
  let store: Store;
  let hq: number;
  let dr: number;
  let edge: number;

  /** Every file the engine writes rows to: the SQLite file and its WAL, or the whole cluster. */
  const storedFiles = async (): Promise<Array<{ path: string; bytes: Buffer }>> => {
    const root = postgres?.dataDir ?? dataDir;
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    return Promise.all(
      entries
        .filter((entry) => entry.isFile())
        .map(async (entry) => {
          const path = join(entry.parentPath, entry.name);
          return { path, bytes: await readFile(path) };
        }),
    );
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'regatta-store-'));
    if (engine === 'postgresql') postgres = await startTestPostgres();
    databaseUrl = postgres?.url;
    store = await openStore({ dataDir, logger, databaseUrl });
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
    await store?.close();
    await postgres?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('registries – keep secrets sealed in the files and open them for activities', async () => {
    const files = await storedFiles();
    assert.ok(
      files.some(({ bytes }) => bytes.includes('hq.example:5000')),
      'no file holds the registry: the test looks in the wrong place',
    );
    for (const { path, bytes } of files) {
      assert.ok(!bytes.includes(accessSecret), `${path} holds the access secret in clear`);
      assert.ok(!bytes.includes(webhookSecret), `${path} holds the webhook secret in clear`);
    }
    const record = await store.registries.get(hq);
    assert.deepEqual(record.credential, { type: 'basic', access_key: 'robot', access_secret: '*****' });
    assert.ok(!JSON.stringify(record).includes(accessSecret));
    assert.deepEqual(await storedCredentials(store, hq), { username: 'robot', password: accessSecret });
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
    assert.deepEqual(await storedCredentials(store, hq), {
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
    assert.deepEqual(await storedCredentials(store, other.id), {
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
    assert.deepEqual(await storedCredentials(store, registry.id, { dockerConfigDir: dataDir }), {
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
      'NOT_FOUND',
      'src_registry.id',
    );
    await rejectsWith(
      store.policies.create(definition('bad-dest', hq, [9999])),
      'NOT_FOUND',
      'dest_registry.id',
    );
    await rejectsWith(
      store.policies.create(definition('bad-dests', hq, [dr, 9999])),
      'NOT_FOUND',
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
    const beyondIntegers = await store.registries.list({ exact: [{ field: 'id', value: 99_999_999_999 }] });
    assert.equal(beyondIntegers.total, 0, 'an id no integer column can hold matches nothing');
    const digits = await store.registries.list({ fuzzy: [{ field: 'id', value: String(edge) }] });
    assert.ok(
      digits.items.some((item) => item.id === edge),
      'a fuzzy value matches the digits of a number',
    );
    const literal = await store.registries.list({ fuzzy: [{ field: 'name', value: '%' }] });
    assert.equal(literal.total, 0, 'a % in a fuzzy value is a literal');
    const enabled = await store.policies.list({ exact: [{ field: 'enabled', value: true }] });
    assert.equal(enabled.total, 1);
  });

  it('lists – sort text by its bytes, whatever the database collation', async () => {
    const created = [];
    for (const name of ['alpha-order', 'Zulu-order'])
      created.push(await store.registries.create({ name, url: `http://${name}.example` }));
    const sorted = await store.registries.list({
      fuzzy: [{ field: 'name', value: '-order' }],
      sort: [{ field: 'name', descending: false }],
    });
    assert.deepEqual(
      sorted.items.map((item) => item.name),
      ['Zulu-order', 'alpha-order'],
    );
    for (const { id } of created) await store.registries.delete(id);
  });

  it('updates – concurrent updates of different fields of one registry all stay', async () => {
    const created = [];
    for (let index = 0; index < 10; index += 1)
      created.push(await store.registries.create({ name: `busy-${index}`, url: 'http://busy.example' }));
    await Promise.all(
      created.flatMap(({ id }) => [
        store.registries.update(id, { description: 'described' }),
        store.registries.update(id, { url: `http://busy-${id}.example` }),
        store.registries.update(id, { insecure: true }),
      ]),
    );
    for (const { id } of created) {
      const { description, url, insecure } = await store.registries.get(id);
      assert.deepEqual(
        { description, url, insecure },
        { description: 'described', url: `http://busy-${id}.example`, insecure: true },
      );
      await store.registries.delete(id);
    }
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

  it('executions – a sweep keeps the newest closed of a policy and every running one; older closed go with their tasks and settled deliveries', async () => {
    const policyId = 41;
    const summary = ExecutionSummary.parse({
      status: 'Succeed',
      statusText: 'done',
      counts: { total: 1, failed: 0, succeed: 1, in_progress: 0, stopped: 0 },
      bytes: 0,
    });
    const task = ReplicationTask.parse({
      id: 1,
      operation: 'copy',
      status: 'Succeed',
      srcResource: 'production/api:v1',
      dstResource: 'production/api:v1',
      destinationRegistryId: 2,
      destinationRepository: 'production/api',
      artifactIndex: 0,
    });
    // Five runs of the policy: the first, third and fifth closed, the second and fourth running.
    const runs = [];
    for (let index = 1; index <= 5; index++) {
      const run = await store.executions.create({
        policyId,
        workflowId: `swept/manual/${index}`,
        trigger: 'manual',
      });
      await store.runPages.record(run.workflowId, { page: 1, firstTaskId: 1, taskCount: 1 }, [task]);
      if (index % 2 === 1)
        await store.executions.recordResult(run.workflowId, summary, '2026-01-01T00:00:00.000Z');
      runs.push(run);
    }
    const notify = await store.notificationPolicies.create({
      name: 'swept-runs',
      event_types: ['run_succeeded'],
      targets: [{ address: 'http://receiver.example' }],
    });
    const deliveryOf = async (run: number, status: 'pending' | 'delivered') => {
      const [id] = await store.notificationDeliveries.queue([
        {
          eventKey: `swept/manual/${run}#0`,
          policyId: notify.id,
          eventType: 'run_succeeded',
          workflowId: `swept/manual/${run}`,
          payload: '{}',
        },
      ]);
      if (status === 'delivered')
        await store.notificationDeliveries.recordAttempt(id!, { status, attempts: 1 });
      return id!;
    };
    const settled = await deliveryOf(1, 'delivered');
    const stillTried = await deliveryOf(3, 'pending');
    const ofKept = await deliveryOf(5, 'delivered');
    const other = await store.executions.create({
      policyId: policyId + 1,
      workflowId: 'kept/manual/1',
      trigger: 'manual',
    });
    await store.executions.recordResult(other.workflowId, summary, '2026-01-01T00:00:00.000Z');

    assert.equal(await store.executions.sweep(policyId, 1), 2);
    const left = await store.executions.list({ policyId });
    assert.deepEqual(
      left.items.map((item) => item.workflowId),
      ['swept/manual/5', 'swept/manual/4', 'swept/manual/2'],
    );
    assert.deepEqual(await store.runPages.pages('swept/manual/1'), []);
    assert.deepEqual(await store.runPages.pages('swept/manual/3'), []);
    assert.equal((await store.runPages.tasks('swept/manual/5', 1)).length, 1);
    assert.equal((await store.runPages.tasks('swept/manual/2', 1)).length, 1);
    await rejectsWith(store.executions.get(runs[0]!.id), 'NOT_FOUND');
    assert.equal(await store.notificationDeliveries.get(settled), undefined);
    assert.equal((await store.notificationDeliveries.get(stillTried))?.delivery.status, 'pending');
    assert.equal((await store.notificationDeliveries.get(ofKept))?.delivery.status, 'delivered');
    assert.equal((await store.executions.get(other.id)).workflowId, 'kept/manual/1');
    // Again: nothing more to sweep.
    assert.equal(await store.executions.sweep(policyId, 1), 0);
    // The store is shared by the tests after this one, which count notification policies.
    await store.notificationPolicies.delete(notify.id);
  });

  it('executions – those without a result past the newest kept closed ones, oldest first: what the sweep would reach once recorded', async () => {
    const policyId = 43;
    const summary = ExecutionSummary.parse({
      status: 'Failed',
      statusText: 'failed',
      counts: { total: 0, failed: 0, succeed: 0, in_progress: 0, stopped: 0 },
      bytes: 0,
    });
    // Six runs of the policy: the even ones closed, the odd ones without a result; one of another policy.
    await store.executions.create({
      policyId: policyId + 1,
      workflowId: 'unrecorded/other',
      trigger: 'manual',
    });
    for (let index = 1; index <= 6; index++) {
      const run = await store.executions.create({
        policyId,
        workflowId: `unrecorded/manual/${index}`,
        trigger: 'manual',
      });
      if (index % 2 === 0)
        await store.executions.recordResult(run.workflowId, summary, '2026-01-01T00:00:00.000Z');
    }
    const past = async (kept: number, limit = 20) =>
      (await store.executions.unrecordedPastKept(policyId, kept, limit)).map((item) =>
        Number(item.workflowId.split('/').pop()),
      );
    assert.deepEqual(await past(1), [1, 3, 5]);
    assert.deepEqual(await past(2), [1, 3]);
    assert.deepEqual(await past(3), [1]);
    assert.deepEqual(await past(4), [], 'fewer than four closed');
    assert.deepEqual(await past(1, 2), [1, 3]);
  });

  it('source changes – keep the earliest sighting, and forget what a tag no longer points to', async () => {
    const changes = [
      { repository: 'library/app', tag: 'v1', digest: 'sha256:aa' },
      { repository: 'library/app', tag: 'v2', digest: 'sha256:bb' },
    ];
    await store.sourceChanges.record(hq, changes, '2026-01-02T00:00:00.000Z');
    await store.sourceChanges.record(hq, [changes[0]!], '2026-01-01T00:00:00.000Z');
    await store.sourceChanges.record(hq, [changes[1]!], '2026-01-03T00:00:00.000Z');
    assert.deepEqual(
      await store.sourceChanges.firstSeen(hq, 'library/app'),
      new Map([
        ['v1@sha256:aa', '2026-01-01T00:00:00.000Z'],
        ['v2@sha256:bb', '2026-01-02T00:00:00.000Z'],
      ]),
    );
    await store.sourceChanges.forgetSuperseded(hq, 'library/app', new Map([['v1', 'sha256:aa']]));
    assert.deepEqual([...(await store.sourceChanges.firstSeen(hq, 'library/app')).keys()], ['v1@sha256:aa']);
  });

  it('prune plans – kept in pages read one at a time, replaced under one id, dropped with their run or once stale', async () => {
    const page = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => ({
        repository: 'production/api',
        tag: `v${from + index}`,
        digest: `sha256:${'c'.repeat(64)}`,
      }));
    const plans = store.prunePlans;
    await plans.save('run-a/1', 'run-a', [page(0, 500), page(500, 20)]);
    assert.deepEqual(await plans.page('run-a/1', 2), page(500, 20));
    assert.equal((await plans.page('run-a/1', 1)).length, 500);
    await rejectsWith(plans.page('run-a/1', 3), 'NOT_FOUND');
    // A retried plan under the same id replaces it whole.
    await plans.save('run-a/1', 'run-a', [page(7, 1)]);
    assert.deepEqual(await plans.page('run-a/1', 1), page(7, 1));
    await rejectsWith(plans.page('run-a/1', 2), 'NOT_FOUND');
    await plans.save('run-b/1', 'run-b', [page(0, 1)]);
    await plans.removeRun('run-a');
    await rejectsWith(plans.page('run-a/1', 1), 'NOT_FOUND');
    assert.deepEqual(await plans.page('run-b/1', 1), page(0, 1));
    // A plan whose run never ended (terminated) goes once a month old, when another is saved.
    await plans.save('run-c/1', 'run-c', [page(0, 1)], new Date(Date.now() + 31 * 24 * 3600_000));
    await rejectsWith(plans.page('run-b/1', 1), 'NOT_FOUND');
    assert.deepEqual(await plans.page('run-c/1', 1), page(0, 1));
  });

  it('tokens – are shown once, kept as hashes, and stop working when deleted', async () => {
    const { token, record } = await store.tokens.create({ name: 'ci', role: 'viewer' });
    assert.match(token, /^rgt_/);
    assert.deepEqual(await store.tokens.authenticate(token), record);
    assert.equal(await store.tokens.authenticate(`${token}x`), undefined);
    assert.equal(await store.tokens.authenticate('not-a-token'), undefined);
    await rejectsWith(store.tokens.create({ name: 'ci', role: 'admin' }), 'CONFLICT', 'name');
    for (const { path, bytes } of await storedFiles())
      assert.ok(!bytes.includes(token), `${path} holds the token`);
    await store.tokens.delete(record.id);
    assert.equal(await store.tokens.authenticate(token), undefined);
  });

  it('notification policies – secrets sealed in the files, opened for deliveries only', async () => {
    const created = await store.notificationPolicies.create({
      name: 'ops',
      event_types: ['run_failed', 'drift_detected'],
      targets: [{ address: 'https://hooks.example/in', auth_header: receiverToken, hmac_secret: hmacSecret }],
    });
    assert.ok(
      (await storedFiles()).some(({ bytes }) => bytes.includes('hooks.example/in')),
      'no file holds the policy: the test looks in the wrong place',
    );
    for (const { path, bytes } of await storedFiles()) {
      assert.ok(!bytes.includes(receiverToken), `${path} holds the auth header in clear`);
      assert.ok(!bytes.includes(hmacSecret), `${path} holds the HMAC secret in clear`);
    }
    const read = await store.notificationPolicies.get(created.id);
    assert.equal(read.targets[0]!.auth_header, '*****');
    assert.equal(read.targets[0]!.hmac_secret, '*****');
    const opened = await store.notificationPolicies.getWithSecrets(created.id);
    assert.equal(opened.targets[0]!.auth_header, receiverToken);
    assert.equal(opened.targets[0]!.hmac_secret, hmacSecret);
    await rejectsWith(
      store.notificationPolicies.create({
        name: 'ops',
        event_types: ['run_failed'],
        targets: [{ address: 'http://a.example' }],
      }),
      'CONFLICT',
      'name',
    );
    const updated = await store.notificationPolicies.update(created.id, {
      name: 'ops',
      event_types: ['run_succeeded'],
      targets: [{ address: 'https://hooks.example/other', auth_header: '*****' }],
    });
    assert.deepEqual(updated.event_types, ['run_succeeded']);
    assert.equal(
      (await store.notificationPolicies.getWithSecrets(created.id)).targets[0]!.hmac_secret,
      hmacSecret,
    );
    assert.deepEqual(
      (await store.notificationPolicies.wanting('run_succeeded')).map((policy) => policy.id),
      [created.id],
    );
    assert.deepEqual(await store.notificationPolicies.wanting('run_failed'), []);
    await rejectsWith(store.notificationPolicies.get(9999), 'NOT_FOUND');
  });

  it('notification deliveries – queued once per event and policy, each try recorded, gone with their policy', async () => {
    const policy = await store.notificationPolicies.create({
      name: 'deliveries',
      event_types: ['run_failed'],
      targets: [{ address: 'http://receiver.example' }],
    });
    const queued = {
      eventKey: 'run/1#0',
      policyId: policy.id,
      eventType: 'run_failed' as const,
      workflowId: 'run/1',
      payload: '{}',
    };
    const [id] = await store.notificationDeliveries.queue([queued]);
    assert.deepEqual(await store.notificationDeliveries.queue([queued]), [id], 'queueing again adds nothing');
    await store.notificationDeliveries.recordAttempt(id!, {
      status: 'pending',
      attempts: 1,
      statusCode: 503,
      errorCode: 'NOTIFICATION_SERVER_ERROR',
      error: 'POST to http://receiver.example answered 503',
    });
    await store.notificationDeliveries.recordAttempt(id!, {
      status: 'delivered',
      attempts: 2,
      statusCode: 204,
    });
    await store.notificationDeliveries.recordAttempt(id!, { status: 'failed', attempts: 3, statusCode: 500 });
    await store.notificationDeliveries.abandon(id!, 'given up');
    const [delivery] = await store.notificationDeliveries.ofWorkflow('run/1');
    assert.deepEqual(
      [delivery!.status, delivery!.attempts, delivery!.lastStatusCode, delivery!.policyName],
      ['delivered', 2, 204, 'deliveries'],
      'a settled delivery is not changed by a late try or by giving up',
    );
    assert.ok(delivery!.deliveredTime);
    assert.equal((await store.notificationDeliveries.ofPolicy(policy.id, 1, 10)).total, 1);
    await store.notificationPolicies.delete(policy.id);
    assert.equal(await store.notificationDeliveries.get(id!), undefined);
    await rejectsWith(store.notificationPolicies.delete(policy.id), 'NOT_FOUND');
  });

  it("notification deliveries – a sweep keeps a policy's newest settled, drift's and orphans' included; pending ones stay", async () => {
    const [policy, other] = await Promise.all(
      ['deliveries-swept', 'deliveries-untouched'].map((name) =>
        store.notificationPolicies.create({
          name,
          event_types: ['run_failed', 'drift_detected'],
          targets: [{ address: 'http://receiver.example' }],
        }),
      ),
    );
    const queue = async (policyId: number, key: string, workflowId?: string) => {
      const [id] = await store.notificationDeliveries.queue([
        {
          eventKey: key,
          policyId,
          eventType: workflowId ? 'run_failed' : 'drift_detected',
          workflowId,
          payload: '{}',
        },
      ]);
      return id!;
    };
    // Oldest first: a drift delivery (no run), a run's delivery whose execution is long gone, one
    // still being tried, then two newer settled ones.
    const drift = await queue(policy!.id, 'drift/1');
    const orphan = await queue(policy!.id, 'run/gone#0', 'run/gone');
    const pending = await queue(policy!.id, 'run/slow#0', 'run/slow');
    const older = await queue(policy!.id, 'run/2#0', 'run/2');
    const newest = await queue(policy!.id, 'run/3#0', 'run/3');
    const elsewhere = await queue(other!.id, 'drift/2');
    for (const id of [drift, orphan, older, elsewhere])
      await store.notificationDeliveries.recordAttempt(id, {
        status: 'delivered',
        attempts: 1,
        statusCode: 204,
      });
    await store.notificationDeliveries.recordAttempt(newest, {
      status: 'failed',
      attempts: 1,
      statusCode: 400,
    });
    assert.equal(await store.notificationDeliveries.sweep(policy!.id, 2), 2);
    const left = async (policyId: number) =>
      (await store.notificationDeliveries.ofPolicy(policyId, 1, 10)).items.map((delivery) => delivery.id);
    assert.deepEqual(await left(policy!.id), [newest, older, pending]);
    assert.deepEqual(
      await left(other!.id),
      [elsewhere],
      "another policy's deliveries are not counted or swept",
    );
    assert.equal(await store.notificationDeliveries.sweep(policy!.id, 2), 0, 'again: nothing more to sweep');
  });

  it('drift states – each site with the state it replaces; an older audit changes nothing', async () => {
    const policy = await store.policies.create(definition('drift-states', hq, [dr, edge]));
    const first = await store.driftStates.record(policy.id, '2026-01-01T00:00:00.000Z', [
      { registryId: dr, drifting: false },
      { registryId: edge, drifting: true },
    ]);
    assert.deepEqual(first, [
      { registryId: dr, wasDrifting: undefined, drifting: false },
      { registryId: edge, wasDrifting: undefined, drifting: true },
    ]);
    const second = await store.driftStates.record(policy.id, '2026-01-02T00:00:00.000Z', [
      { registryId: dr, drifting: true },
      { registryId: edge, drifting: false },
    ]);
    assert.deepEqual(second, [
      { registryId: dr, wasDrifting: false, drifting: true },
      { registryId: edge, wasDrifting: true, drifting: false },
    ]);
    const stale = await store.driftStates.record(policy.id, '2026-01-01T12:00:00.000Z', [
      { registryId: dr, drifting: false },
    ]);
    assert.deepEqual(stale, [], 'an audit that finished before the newest one kept is not compared');
    await store.policies.delete(policy.id);
  });

  it('reopening – keeps everything, and refuses another secret key', async () => {
    const registries = await store.registries.list({ pageSize: 100 });
    const policies = await store.policies.all();
    const notificationPolicies = await store.notificationPolicies.list({ pageSize: 100 });
    await store.close();
    store = await openStore({ dataDir, logger, databaseUrl });
    assert.deepEqual(await store.registries.list({ pageSize: 100 }), registries);
    assert.deepEqual(await store.policies.all(), policies);
    assert.deepEqual(await store.notificationPolicies.list({ pageSize: 100 }), notificationPolicies);
    assert.deepEqual(await storedCredentials(store, hq), {
      username: 'robot',
      password: accessSecret,
    });
    await rejectsWith(
      openStore({ dataDir, logger, databaseUrl, secretKey: 'another key entirely' }),
      'SECRET_KEY_MISMATCH',
    );
  });
}

for (const engine of storeEngines) describe(`store on ${engine}`, () => storeTests(engine));
