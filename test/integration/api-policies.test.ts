import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { policyIdKey, replicationRunType } from '../../contract/index.js';
import { scheduleId } from '../../service/run-identity.js';
import type { DialectKind } from '../../store/dialect.js';
import { eventually } from '../harness/eventually.js';
import { startTestPostgres, type TestPostgres } from '../harness/postgres-server.js';
import { storeEngines } from '../harness/store-engines.js';
import { call, harborError, startApiTestServer, type ApiTestServer } from './api-test-server.js';

const base = '/api/v2.0/replication/policies';

function policyApiTests(engine: DialectKind): void {
  let postgres: TestPostgres | undefined;
  let api: ApiTestServer;
  let hq: number;
  let dr: number;
  let edge: number;

  before(async () => {
    if (engine === 'postgresql') postgres = await startTestPostgres();
    api = await startApiTestServer({ databaseUrl: postgres?.url });
    const registry = async (name: string, secret?: string) => {
      const reply = await call(api, 'POST', '/api/v2.0/registries', {
        auth: api.admin,
        body: {
          name,
          url: `http://127.0.0.1:${5000 + name.length}`,
          ...(secret ? { credential: { type: 'basic', access_key: 'robot', access_secret: secret } } : {}),
        },
      });
      assert.equal(reply.status, 201, reply.text);
      return Number(reply.headers.get('location')!.split('/').pop());
    };
    hq = await registry('hq', 'hq-secret-value');
    dr = await registry('dr');
    edge = await registry('edge');
  });
  after(async () => {
    await api?.stop();
    await postgres?.stop();
  });

  it('the Harbor example body – is accepted verbatim and comes back with registries embedded', async () => {
    const body = {
      name: 'sync-to-dr',
      src_registry: { id: hq },
      dest_registry: { id: dr },
      trigger: { type: 'event_based' },
      filters: [{ type: 'name', value: 'production/**' }],
      enabled: true,
    };
    const created = await call(api, 'POST', base, { auth: api.admin, body });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.text, '');
    const location = created.headers.get('location')!;
    assert.match(location, /^\/api\/v2\.0\/replication\/policies\/\d+$/);
    const policy = (await call(api, 'GET', location, { auth: api.admin })).body as Record<string, unknown> & {
      src_registry: { id: number; name: string; credential: { access_secret: string } };
      dest_registry: { id: number; name: string };
      dest_registries: Array<{ id: number }>;
    };
    assert.equal(policy.name, 'sync-to-dr');
    assert.equal(policy.src_registry.name, 'hq');
    assert.equal(policy.src_registry.credential.access_secret, '*****');
    assert.equal(policy.dest_registry.name, 'dr');
    assert.deepEqual(
      policy.dest_registries.map((registry) => registry.id),
      [dr],
    );
    assert.deepEqual(policy.trigger, { type: 'event_based' });
    assert.deepEqual(policy.filters, body.filters);
    assert.equal(policy.deletion, false);
    assert.equal(policy.replicate_deletion, false);
    assert.equal(policy.dest_namespace_replace_count, -1);
    const schedule = api.client.schedule.getHandle(scheduleId(policy.id as number));
    await assert.rejects(schedule.describe(), 'an event-based policy has no schedule');

    // PUT of the GET body, changed, as Harbor clients do.
    const put = await call(api, 'PUT', location, {
      auth: api.admin,
      body: {
        ...policy,
        dest_registries: [{ id: dr }, { id: edge }],
        deletion: true,
        replicate_deletion: true,
      },
    });
    assert.equal(put.status, 200, put.text);
    const after = (await call(api, 'GET', location, { auth: api.admin })).body as {
      dest_registries: Array<{ name: string }>;
      deletion: boolean;
    };
    assert.deepEqual(
      after.dest_registries.map((registry) => registry.name),
      ['dr', 'edge'],
    );
    assert.equal(after.deletion, true);

    // Scheduled now: the saved policy, destinations included, is what its Temporal Schedule runs.
    const scheduled = await call(api, 'PUT', location, {
      auth: api.admin,
      body: { ...after, trigger: { type: 'scheduled', trigger_settings: { cron: '0 0 3 * * *' } } },
    });
    assert.equal(scheduled.status, 200, scheduled.text);
    const action = (await schedule.describe()).action as {
      args: Array<{ policy: { destinations: unknown } }>;
    };
    assert.deepEqual(action.args[0]!.policy.destinations, [
      { registry_id: dr, name: 'dr' },
      { registry_id: edge, name: 'edge' },
    ]);
  });

  it('errors – 400 naming the field, 404, 409, and 412 while a run is in progress', async () => {
    const bad = async (body: object, field: string) => {
      const message = harborError(
        await call(api, 'POST', base, { auth: api.admin, body }),
        400,
        'BAD_REQUEST',
      );
      assert.ok(message.startsWith(`${field}: `), message);
    };
    const valid = { name: 'p', src_registry: { id: hq }, dest_registry: { id: dr } };
    await bad(
      { ...valid, trigger: { type: 'event_based' }, single_active_replication: true },
      'single_active_replication',
    );
    for (const [body, field] of [
      [{ ...valid, src_registry: { id: 424242 } }, 'src_registry.id'],
      [{ ...valid, dest_registry: { id: 424242 } }, 'dest_registry.id'],
    ] as const) {
      const message = harborError(await call(api, 'POST', base, { auth: api.admin, body }), 404, 'NOT_FOUND');
      assert.ok(message.startsWith(`${field}: registry 424242 does not exist`), message);
    }
    await bad(
      { ...valid, trigger: { type: 'scheduled', trigger_settings: { cron: '*/5 * * * * *' } } },
      'trigger.trigger_settings.cron',
    );
    await bad({ ...valid, filters: [{ type: 'tag', value: 1 }] }, 'filters[0].value');
    // 100,000 alternatives: refused as they are counted, never expanded or compiled.
    const huge = '{0,1,2,3,4,5,6,7,8,9}'.repeat(5);
    const countedAt = Date.now();
    await bad({ ...valid, filters: [{ type: 'name', value: huge }] }, 'filters[0].value');
    await bad({ ...valid, mirror: { prune: true, protect: ['*.sig', huge] } }, 'mirror.protect[1]');
    await bad({ ...valid, mirror: { protect: ['v{1..9}'] } }, 'mirror.protect[0]');
    for (const ratio of [1.5, -0.1, '0.5'])
      await bad(
        { ...valid, mirror: { prune: true, max_delete_ratio_per_repository: ratio } },
        'mirror.max_delete_ratio_per_repository',
      );
    assert.ok(Date.now() - countedAt < 1_000);
    // A prune compares names at both ends: it cannot map them into a namespace.
    const mirror = {
      ...valid,
      name: 'mirror-flat',
      mirror: { prune: true, max_delete_ratio_per_repository: 0.5 },
    };
    await bad({ ...mirror, dest_namespace: 'flat' }, 'mirror.prune');
    const mirrorCreated = await call(api, 'POST', base, { auth: api.admin, body: mirror });
    assert.equal(mirrorCreated.status, 201, mirrorCreated.text);
    const mirrorLocation = mirrorCreated.headers.get('location')!;
    assert.ok(
      harborError(
        await call(api, 'PUT', mirrorLocation, {
          auth: api.admin,
          body: { ...mirror, dest_namespace: 'flat' },
        }),
        400,
        'BAD_REQUEST',
      ).startsWith('mirror.prune: '),
    );
    const stored = (await call(api, 'GET', mirrorLocation, { auth: api.admin })).body as {
      dest_namespace: string;
      mirror: { max_delete_ratio_per_repository?: number };
    };
    assert.equal(stored.dest_namespace, '');
    assert.equal(stored.mirror.max_delete_ratio_per_repository, 0.5);
    harborError(await call(api, 'GET', `${base}/424242`, { auth: api.admin }), 404, 'NOT_FOUND');
    harborError(await call(api, 'PUT', `${base}/424242`, { auth: api.admin, body: valid }), 404, 'NOT_FOUND');
    harborError(await call(api, 'DELETE', `${base}/424242`, { auth: api.admin }), 404, 'NOT_FOUND');
    const created = await call(api, 'POST', base, { auth: api.admin, body: { ...valid, name: 'running' } });
    assert.equal(created.status, 201);
    harborError(
      await call(api, 'POST', base, { auth: api.admin, body: { ...valid, name: 'running' } }),
      409,
      'CONFLICT',
    );
    harborError(
      await call(api, 'PUT', `${base}/424242`, { auth: api.admin, body: { ...valid, name: 'running' } }),
      404,
      'NOT_FOUND',
    );
    const location = created.headers.get('location')!;
    const policyId = Number(location.split('/').pop());
    // A real run, started through the API; no worker polls this Temporal, so it stays in progress.
    const started = await call(api, 'POST', '/api/v2.0/replication/executions', {
      auth: api.admin,
      body: { policy_id: policyId },
    });
    assert.equal(started.status, 201, started.text);
    const inProgress = `${policyIdKey.name} = ${policyId} AND ExecutionStatus = 'Running' AND WorkflowType = '${replicationRunType}'`;
    const running = async () => {
      for await (const workflow of api.client.workflow.list({ query: inProgress })) return workflow;
      return undefined;
    };
    const run = await eventually(running, 15_000, 'the run to show as running');
    assert.match(
      harborError(await call(api, 'DELETE', location, { auth: api.admin }), 412, 'PRECONDITION'),
      /in progress/,
    );
    const kept = (await call(api, 'GET', location, { auth: api.admin })).body as { name: string; id: number };
    assert.equal(kept.name, 'running');
    assert.equal(
      (await call(api, 'PUT', location, { auth: api.admin, body: { ...valid, name: 'stopped' } })).status,
      200,
    );
    await api.client.workflow.getHandle(run.workflowId).terminate('the test is done with it');
    await eventually(async () => !(await running()), 15_000, 'the run to show as ended');
    assert.equal((await call(api, 'DELETE', location, { auth: api.admin })).status, 200);
    harborError(await call(api, 'GET', location, { auth: api.admin }), 404, 'NOT_FOUND');
  });

  it('lists – page, page_size, q, sort, X-Total-Count and Link', async () => {
    for (const [index, name] of ['list-c', 'list-a', 'list-b', 'other-x'].entries()) {
      const reply = await call(api, 'POST', base, {
        auth: api.admin,
        body: { name, src_registry: { id: hq }, dest_registry: { id: edge }, enabled: index % 2 === 0 },
      });
      assert.equal(reply.status, 201, reply.text);
    }
    const names = (reply: { body: unknown }) =>
      (reply.body as Array<{ name: string }>).map((policy) => policy.name);

    const fuzzy = await call(api, 'GET', `${base}?q=${encodeURIComponent('name=~LIST')}&sort=name`, {
      auth: api.admin,
    });
    assert.deepEqual(names(fuzzy), ['list-a', 'list-b', 'list-c']);
    assert.equal(fuzzy.headers.get('x-total-count'), '3');

    const exact = await call(api, 'GET', `${base}?q=${encodeURIComponent('name=list-b')}`, {
      auth: api.admin,
    });
    assert.deepEqual(names(exact), ['list-b']);
    const both = await call(
      api,
      'GET',
      `${base}?q=${encodeURIComponent('name=~list,enabled=true')}&sort=-name`,
      { auth: api.admin },
    );
    assert.deepEqual(names(both), ['list-c', 'list-b']);
    const deprecatedName = await call(api, 'GET', `${base}?name=other`, { auth: api.admin });
    assert.deepEqual(names(deprecatedName), ['other-x']);

    const page2 = await call(
      api,
      'GET',
      `${base}?q=${encodeURIComponent('name=~list')}&sort=-name&page=2&page_size=1`,
      { auth: api.admin },
    );
    assert.deepEqual(names(page2), ['list-b']);
    assert.equal(page2.headers.get('x-total-count'), '3');
    const link = page2.headers.get('link')!;
    assert.match(link, /<\/api\/v2\.0\/replication\/policies\?[^>]*page=1&page_size=1>; rel="prev"/);
    assert.match(link, /<\/api\/v2\.0\/replication\/policies\?[^>]*page=3&page_size=1>; rel="next"/);
    assert.match(link, /sort=-name/);
    const last = await call(api, 'GET', `${base}?q=${encodeURIComponent('name=~list')}&page=3&page_size=1`, {
      auth: api.admin,
    });
    assert.doesNotMatch(last.headers.get('link')!, /next/);
    const beyond = await call(api, 'GET', `${base}?page=99`, { auth: api.admin });
    assert.deepEqual(beyond.body, []);

    const refused: Array<[string, string]> = [
      ['page_size=101', 'page_size'],
      ['page_size=0', 'page_size'],
      ['page=-1', 'page'],
      ['page=1&page=2', 'page'],
      ['q=password%3Dx', 'q'],
      ['q=enabled%3Dmaybe', 'q'],
      ['q=id%3D%5B1~3%5D', 'q'],
      ['q=garbage', 'q'],
      ['sort=secret', 'sort'],
    ];
    for (const [query, field] of refused) {
      const message = harborError(
        await call(api, 'GET', `${base}?${query}`, { auth: api.admin }),
        400,
        'BAD_REQUEST',
      );
      assert.ok(message.startsWith(`${field}: `), `${query}: ${message}`);
    }

    const registries = await call(api, 'GET', '/api/v2.0/registries?sort=-name&page_size=2', {
      auth: api.admin,
    });
    assert.deepEqual(
      (registries.body as Array<{ name: string }>).map((registry) => registry.name),
      ['hq', 'edge'],
    );
    assert.equal(registries.headers.get('x-total-count'), '3');
    assert.match(registries.headers.get('link')!, /rel="next"/);
  });
}

for (const engine of storeEngines) {
  describe(`API /replication/policies over real HTTP (${engine})`, () => policyApiTests(engine));
}
