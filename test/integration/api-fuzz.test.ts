import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startApiTestServer, type ApiTestServer, type Reply } from './api-test-server.js';

// Seeded, so a failure reproduces; a different seed explores more (REGATTA_FUZZ_SEED).
const seed = Number(process.env.REGATTA_FUZZ_SEED ?? 20240611);
const concurrency = 8;

function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const letters = 'abcdefghijklmnopqrstuvwxyz';
const randomWord = (min = 3) =>
  Array.from({ length: min + Math.floor(random() * 6) }, () => pick([...letters])).join('');

/** Any JSON value; nested objects have random keys of 3+ letters, so never a valid `{id}` or URL. */
function randomJson(depth = 0): unknown {
  const kind =
    depth > 2
      ? pick(['number', 'string', 'boolean', 'null'])
      : pick(['number', 'string', 'boolean', 'null', 'array', 'object']);
  switch (kind) {
    case 'number':
      return pick([0, -1, 1, 2, 1.5, 1e21, -2147483649, Math.floor(random() * 1e6)]);
    case 'string':
      return pick(['', ' ', randomWord(), '*****', '\u0000', 'ünïcode', '{1..9}', 'x'.repeat(300)]);
    case 'boolean':
      return random() < 0.5;
    case 'null':
      return null;
    case 'array':
      return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, () => [randomWord(), randomJson(depth + 1)]),
      );
  }
}

type Mutations = Record<string, readonly unknown[]>;
const absent = Symbol('absent');

const policyMutations: Mutations = {
  name: [absent, '', '   ', 5, null, [], {}, 'x'.repeat(256)],
  description: [5, 'x'.repeat(1025), []],
  src_registry: [
    absent,
    null,
    5,
    'hq',
    {},
    { id: 'one' },
    { id: 0 },
    { id: -1 },
    { id: 1.5 },
    { id: 999999 },
  ],
  dest_registry: [absent, null, 5, { id: 'x' }, { id: 999999 }, []],
  dest_registries: [[], 5, 'a', [{ id: 'x' }], [{ id: 999999 }], [5], [{ id: 2 }, { id: 2 }]],
  trigger: [
    5,
    'manual',
    {},
    { type: 'sometimes' },
    { type: 'scheduled' },
    { type: 'scheduled', trigger_settings: { cron: '* * * * * *' } },
    { type: 'scheduled', trigger_settings: { cron: '0 0 * * *' } },
    { type: 'scheduled', trigger_settings: { cron: 5 } },
    { type: 'manual', kind: 'Manual' },
  ],
  filters: [
    5,
    {},
    [5],
    [{ type: 'name' }],
    [{ type: 'name', value: 5 }],
    [{ type: 'label', value: 'prod' }],
    [{ type: 'tag', value: '*', decoration: 'sometimes' }],
    [{ type: 'resource', value: 'chart' }],
    [{ type: 'name', value: '{1..99999}' }],
    Array.from({ length: 51 }, () => ({ type: 'name', value: 'a/**' })),
  ],
  dest_namespace: [5, 'UPPER', 'a//b', '-bad', []],
  dest_namespace_replace_count: [-2, 128, 1.5, 'x'],
  deletion: ['yes', 1, null],
  replicate_deletion: ['yes', 0, null],
  override: ['true', 0, null],
  enabled: ['true', 1, null],
  speed: [1.5, -2, 'fast', 2 ** 31],
  copy_by_chunk: ['x', 1],
  single_active_replication: [true, 'x'],
  platforms: [5, [{}], [{ os: 'linux' }], [{ os: 'Linux', architecture: 'amd64' }], null],
  replicate_referrers: ['yes', null],
  mirror: [
    5,
    { prune: 'x' },
    { max_delete_ratio: 2 },
    { max_delete_ratio_per_repository: -1 },
    { protect: [5] },
    { unknown: 1 },
  ],
};
// Each rule ties a field to the fields an error about it may name (a destination can be
// refused as dest_registry or dest_registries).
const policyAccepts: Record<string, string[]> = {
  dest_registry: ['dest_registry', 'dest_registries'],
  dest_registries: ['dest_registry', 'dest_registries'],
  deletion: ['deletion', 'replicate_deletion'],
};

const registryMutations: Mutations = {
  name: [absent, '', ' ', 5, null, 'x'.repeat(256)],
  url: [
    absent,
    '',
    'ftp://x',
    'http://',
    'http://u:p@h',
    'https://h/path',
    5,
    'localhost:5000',
    'http://[0]',
    'http://0',
    'http://0x7f.1:5000',
    'http://h:',
  ],
  type: ['aws-ecr', 5, null],
  description: [5, 'x'.repeat(1025)],
  insecure: ['yes', 1, null],
  ca_certificate: ['not pem', 5],
  credential: [
    5,
    'basic',
    {},
    { type: 'oauth', access_key: 'u', access_secret: 'p' },
    { type: 'basic', access_key: 5, access_secret: 'x' },
    { type: 'basic', access_key: '', access_secret: 'x' },
    { type: 'basic', access_key: 'u', access_secret: '*****' },
    { type: 'docker_config' },
    // Without REGATTA_DOCKER_CONFIG_DIR no Docker config is read.
    { type: 'docker_config', config_path: '/root/.docker/config.json' },
    { type: 'basic', access_key: 'u', access_secret: 'p', extra: 1 },
  ],
  webhook_secret: ['short', 5, '*****', 'x'.repeat(257)],
};

const registryUpdateMutations: Mutations = {
  name: ['', 5],
  url: ['ftp://x', 5, 'h:1', 'http://[0]', 'http://0'],
  type: ['x'],
  insecure: ['y'],
  credential_type: ['oauth', 5],
  access_key: [5, []],
  access_secret: [5, {}],
  credential: [{ type: 'oauth' }, 5],
  webhook_secret: ['short', 7],
};

interface Case {
  method: string;
  path: string;
  body: unknown;
  /** Fields the error may name (a named field or its children). */
  fields: string[];
}

function mutate(
  baseBody: Record<string, unknown>,
  mutations: Mutations,
  accepts: Record<string, string[]> = {},
): { body: Record<string, unknown>; fields: string[] } {
  const body: Record<string, unknown> = structuredClone(baseBody);
  const fields: string[] = [];
  const count = 1 + Math.floor(random() * 3);
  for (let index = 0; index < count; index += 1) {
    if (random() < 0.12) {
      const key = `unknown_${randomWord()}`;
      body[key] = randomJson(1);
      fields.push(key);
      continue;
    }
    const field = pick(Object.keys(mutations));
    const value = pick(mutations[field]!);
    if (value === absent) delete body[field];
    else body[field] = structuredClone(value);
    fields.push(...(accepts[field] ?? [field]));
  }
  return { body, fields };
}

function names(field: string, accepted: readonly string[]): boolean {
  return accepted.some(
    (path) => field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`),
  );
}

describe('API fuzz – random and mutated bodies over real HTTP', () => {
  let api: ApiTestServer;
  let policyId: number;
  let snapshot: string;

  const state = async () =>
    JSON.stringify({
      registries: (await call(api, 'GET', '/api/v2.0/registries?page_size=100', { auth: api.admin })).body,
      policies: (await call(api, 'GET', '/api/v2.0/replication/policies?page_size=100', { auth: api.admin }))
        .body,
      credentials: [
        await api.store.registries.getWithSecrets(1),
        await api.store.registries.getWithSecrets(2),
      ],
      webhook: await api.store.registries.verifyWebhookSecret(1, 'fuzz-webhook-secret-1'),
      tokens: await api.store.tokens.list(),
    });

  before(async () => {
    api = await startApiTestServer();
    const post = async (path: string, body: object) => {
      const reply = await call(api, 'POST', path, { auth: api.admin, body });
      assert.equal(reply.status, 201, reply.text);
      return Number(reply.headers.get('location')!.split('/').pop());
    };
    await post('/api/v2.0/registries', {
      name: 'hq',
      url: 'http://127.0.0.1:5001',
      credential: { type: 'basic', access_key: 'robot', access_secret: 'fuzz-access-secret' },
      webhook_secret: 'fuzz-webhook-secret-1',
    });
    await post('/api/v2.0/registries', { name: 'dr', url: 'http://127.0.0.1:5002' });
    policyId = await post('/api/v2.0/replication/policies', {
      name: 'keep',
      src_registry: { id: 1 },
      dest_registry: { id: 2 },
      trigger: { type: 'event_based' },
      filters: [{ type: 'name', value: 'production/**' }],
      enabled: true,
    });
    snapshot = await state();
  });
  after(async () => {
    await api?.stop();
  });

  it('answers – every body with a 4xx naming the field, never a 5xx, and changes nothing', async () => {
    const harborExample = {
      name: 'sync-to-dr',
      src_registry: { id: 1 },
      dest_registry: { id: 2 },
      trigger: { type: 'event_based' },
      filters: [{ type: 'name', value: 'production/**' }],
      enabled: true,
    };
    const registry = {
      name: 'fuzz-registry',
      url: 'http://127.0.0.1:5999',
      type: 'docker-registry',
      credential: { type: 'basic', access_key: 'robot', access_secret: 'fuzz-new-secret' },
      webhook_secret: 'sixteen-characters-at-least',
    };
    const policies = '/api/v2.0/replication/policies';
    const cases: Case[] = [];
    for (let index = 0; index < 1400; index += 1) {
      cases.push({
        method: 'POST',
        path: policies,
        ...mutate(harborExample, policyMutations, policyAccepts),
      });
    }
    for (let index = 0; index < 300; index += 1) {
      cases.push({
        method: 'PUT',
        path: `${policies}/${policyId}`,
        ...mutate({ ...harborExample, name: 'keep' }, policyMutations, policyAccepts),
      });
    }
    for (let index = 0; index < 700; index += 1) {
      cases.push({ method: 'POST', path: '/api/v2.0/registries', ...mutate(registry, registryMutations) });
    }
    for (let index = 0; index < 300; index += 1) {
      cases.push({
        method: 'PUT',
        path: `/api/v2.0/registries/${1 + (index % 2)}`,
        ...mutate({}, registryUpdateMutations),
      });
    }
    cases.push({
      method: 'PUT',
      path: '/api/v2.0/registries/2',
      body: { access_key: 'u', access_secret: '*****' },
      fields: ['access_secret'],
    });
    cases.push({
      method: 'PUT',
      path: '/api/v2.0/registries/1',
      body: { access_key: '', access_secret: 'pw' },
      fields: ['access_key'],
    });
    // Registry 1's stored secret may not follow it to another origin.
    for (const body of [
      { url: 'http://127.0.0.1:5003' },
      { url: 'http://127.0.0.1:5003', access_secret: '*****' },
      {
        url: 'http://127.0.0.1:5003',
        credential: { type: 'basic', access_key: 'robot', access_secret: '*****' },
      },
    ]) {
      cases.push({
        method: 'PUT',
        path: '/api/v2.0/registries/1',
        body,
        fields: ['access_secret', 'credential'],
      });
    }
    const required = { policy: ['name', 'src_registry', 'dest_registry'], registry: ['name', 'url'] };
    for (let index = 0; index < 600; index += 1) {
      const body = randomJson();
      const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
      const keys = isObject ? Object.keys(body) : [];
      const target = pick([
        { method: 'POST', path: policies, required: required.policy },
        { method: 'PUT', path: `${policies}/${policyId}`, required: required.policy },
        { method: 'POST', path: '/api/v2.0/registries', required: required.registry },
      ]);
      cases.push({
        method: target.method,
        path: target.path,
        body,
        fields: ['body', ...keys, ...target.required],
      });
    }
    for (let index = 0; index < 200; index += 1) {
      const garbage = JSON.stringify(harborExample).slice(0, Math.floor(random() * 60)) + randomWord(0);
      const [method, path] = pick([
        ['POST', policies],
        ['PUT', `${policies}/${policyId}`],
      ] as const);
      cases.push({
        method,
        path,
        body: garbage.length ? garbage : '{',
        fields: ['body', 'name', 'src_registry', 'dest_registry'],
      });
    }

    const failures: string[] = [];
    let next = 0;
    const statuses = new Map<number, number>();
    const check = (testCase: Case, reply: Reply) => {
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      const described = `${testCase.method} ${testCase.path} ${JSON.stringify(testCase.body).slice(0, 300)} → ${reply.status} ${reply.text.slice(0, 300)}`;
      if (reply.status < 400 || reply.status >= 500) return failures.push(described);
      const error = (reply.body as { errors?: Array<{ code: string; message: string }> })?.errors?.[0];
      const field = error?.message.slice(0, error.message.indexOf(': '));
      // 404 when the body names a registry that does not exist.
      const expected = reply.status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
      if (!error || error.code !== expected || !field || !names(field, testCase.fields))
        failures.push(described);
    };
    // A bound, not a benchmark: the cases take well under a minute even on a loaded machine.
    const deadline = Date.now() + 300_000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < cases.length && Date.now() < deadline) {
          const testCase = cases[next++]!;
          check(
            testCase,
            await call(api, testCase.method, testCase.path, { auth: api.admin, body: testCase.body }),
          );
        }
      }),
    );
    assert.equal(next, cases.length, 'the fuzz ran out of time');
    assert.ok(cases.length >= 3000);
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} bodies answered wrongly (seed ${seed})`);
    assert.deepEqual([...statuses.keys()].sort(), [400, 404]);
    assert.equal(await state(), snapshot, 'the stored data changed');
    assert.ok(api.logs.every((line) => !line.includes('fuzz-access-secret')));
  });
});
