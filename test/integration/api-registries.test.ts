import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DialectKind } from '../../store/dialect.js';
import { startTestPostgres, type TestPostgres } from '../harness/postgres-server.js';
import { storeEngines } from '../harness/store-engines.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { call, harborError, startApiTestServer, type ApiTestServer } from './api-test-server.js';
import { storedCredentials } from '../harness/stored-credentials.js';

const base = '/api/v2.0/registries';

function registryApiTests(engine: DialectKind): void {
  let bed: TestBed;
  let postgres: TestPostgres | undefined;
  let api: ApiTestServer;
  before(async () => {
    bed = await startTestBed({ temporal: false });
    if (engine === 'postgresql') postgres = await startTestPostgres();
    api = await startApiTestServer({ databaseUrl: postgres?.url });
  });
  after(async () => {
    await api?.stop();
    await postgres?.stop();
    await bed?.stop();
  });

  const create = async (body: object) => {
    const reply = await call(api, 'POST', base, { auth: api.admin, body });
    assert.equal(reply.status, 201, reply.text);
    assert.equal(reply.text, '');
    const location = reply.headers.get('location')!;
    assert.match(location, /^\/api\/v2\.0\/registries\/\d+$/);
    return Number(location.split('/').pop());
  };

  it('create, get, update, delete – in Harbor shapes, secrets masked', async () => {
    const id = await create({
      name: 'hq',
      url: bed.hq.url,
      type: 'docker-registry',
      description: 'headquarters',
      insecure: false,
      ca_certificate: bed.certificates.caPem,
      credential: {
        type: 'basic',
        access_key: bed.hq.credentials!.username,
        access_secret: bed.hq.credentials!.password,
      },
      webhook_secret: 'a-webhook-secret-of-length',
    });
    const got = await call(api, 'GET', `${base}/${id}`, { auth: api.admin });
    assert.equal(got.status, 200);
    const registry = got.body as Record<string, unknown>;
    assert.deepEqual(
      { ...registry, creation_time: 'x', update_time: 'x' },
      {
        id,
        name: 'hq',
        url: bed.hq.url,
        type: 'docker-registry',
        description: 'headquarters',
        insecure: false,
        ca_certificate: bed.certificates.caPem,
        credential: { type: 'basic', access_key: bed.hq.credentials!.username, access_secret: '*****' },
        webhook_secret: '*****',
        status: 'unknown',
        creation_time: 'x',
        update_time: 'x',
      },
    );

    // Harbor's RegistryUpdate (flat credential fields); the mask keeps the secret.
    const updated = await call(api, 'PUT', `${base}/${id}`, {
      auth: api.admin,
      body: { description: 'HQ', access_key: bed.hq.credentials!.username, access_secret: '*****' },
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.text, '');
    const after = (await call(api, 'GET', `${base}/${id}`, { auth: api.admin })).body as Record<
      string,
      unknown
    >;
    assert.equal(after.description, 'HQ');
    assert.deepEqual(await storedCredentials(api.store, id), bed.hq.credentials);

    // A GET body sent back as is is a valid update.
    assert.equal((await call(api, 'PUT', `${base}/${id}`, { auth: api.admin, body: after })).status, 200);
    assert.deepEqual(await storedCredentials(api.store, id), bed.hq.credentials);

    assert.equal((await call(api, 'DELETE', `${base}/${id}`, { auth: api.admin })).status, 200);
    harborError(await call(api, 'GET', `${base}/${id}`, { auth: api.admin }), 404, 'NOT_FOUND');
  });

  it('errors – 400 naming the field, 404, 409 and 412', async () => {
    assert.match(
      harborError(
        await call(api, 'POST', base, { auth: api.admin, body: { name: 'x' } }),
        400,
        'BAD_REQUEST',
      ),
      /^url: /,
    );
    assert.match(
      harborError(await call(api, 'GET', `${base}/abc`, { auth: api.admin }), 400, 'BAD_REQUEST'),
      /^id: /,
    );
    harborError(await call(api, 'GET', `${base}/424242`, { auth: api.admin }), 404, 'NOT_FOUND');
    harborError(await call(api, 'PUT', `${base}/424242`, { auth: api.admin, body: {} }), 404, 'NOT_FOUND');
    harborError(await call(api, 'DELETE', `${base}/424242`, { auth: api.admin }), 404, 'NOT_FOUND');
    const first = await create({ name: 'dup', url: bed.sites[0].url });
    assert.match(
      harborError(
        await call(api, 'POST', base, { auth: api.admin, body: { name: 'dup', url: bed.sites[1].url } }),
        409,
        'CONFLICT',
      ),
      /dup/,
    );
    const second = await create({ name: 'dup2', url: bed.sites[1].url });
    harborError(
      await call(api, 'PUT', `${base}/${second}`, { auth: api.admin, body: { name: 'dup' } }),
      409,
      'CONFLICT',
    );
    const policy = await call(api, 'POST', '/api/v2.0/replication/policies', {
      auth: api.admin,
      body: { name: 'uses-dup', src_registry: { id: first }, dest_registry: { id: second } },
    });
    assert.equal(policy.status, 201);
    assert.match(
      harborError(await call(api, 'DELETE', `${base}/${second}`, { auth: api.admin }), 412, 'PRECONDITION'),
      /uses-dup/,
    );
    assert.equal(
      (await call(api, 'DELETE', policy.headers.get('location')!, { auth: api.admin })).status,
      200,
    );
    assert.equal((await call(api, 'DELETE', `${base}/${second}`, { auth: api.admin })).status, 200);
    assert.equal((await call(api, 'DELETE', `${base}/${first}`, { auth: api.admin })).status, 200);
  });

  it('ping – real GET /v2/ against the test bed registries', async () => {
    const ping = (body: object) => call(api, 'POST', `${base}/ping`, { auth: api.admin, body });
    const [plain, basic, tls] = bed.sites;
    const ok = [
      { url: plain.url },
      {
        url: basic.url,
        credential_type: 'basic',
        access_key: basic.credentials!.username,
        access_secret: basic.credentials!.password,
      },
      { url: tls.url, ca_certificate: bed.certificates.caPem },
      {
        url: bed.hq.url,
        ca_certificate: bed.certificates.caPem,
        access_key: bed.hq.credentials!.username,
        access_secret: bed.hq.credentials!.password,
      },
    ];
    for (const body of ok) {
      const reply = await ping(body);
      assert.equal(reply.status, 200, `${JSON.stringify(body.url)}: ${reply.text}`);
      assert.equal(reply.text, '');
    }
    assert.match(
      harborError(await ping({ url: basic.url }), 400, 'BAD_REQUEST'),
      /^credential: .*REGISTRY_UNAUTHORIZED/,
    );
    assert.match(
      harborError(
        await ping({ url: basic.url, access_key: 'site-user', access_secret: 'wrong-password' }),
        400,
        'BAD_REQUEST',
      ),
      /^credential: /,
    );
    assert.match(
      harborError(await ping({ url: tls.url }), 400, 'BAD_REQUEST'),
      /^ca_certificate: .*REGISTRY_TLS/,
    );
    const stopped = bed.sites[0];
    await stopped.stop();
    try {
      assert.match(harborError(await ping({ url: stopped.url }), 400, 'BAD_REQUEST'), /^url: /);
    } finally {
      await stopped.start();
    }

    // A stored registry by id, its stored secret used; the body's fields override it.
    const id = await create({
      name: 'basic-site',
      url: basic.url,
      credential: {
        type: 'basic',
        access_key: basic.credentials!.username,
        access_secret: basic.credentials!.password,
      },
    });
    assert.equal((await ping({ id })).status, 200);
    assert.equal((await ping({ id, access_secret: '*****' })).status, 200);
    harborError(await ping({ id, access_secret: 'not-the-password' }), 400, 'BAD_REQUEST');
    harborError(await ping({ id: 424242 }), 404, 'NOT_FOUND');
    assert.match(harborError(await ping({}), 400, 'BAD_REQUEST'), /^url: /);
    assert.match(harborError(await ping({ url: 'ftp://x' }), 400, 'BAD_REQUEST'), /^url: /);
  });
}

for (const engine of storeEngines) {
  describe(`API /registries over real HTTP (${engine})`, () => registryApiTests(engine));
}
