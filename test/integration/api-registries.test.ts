import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryAllowList } from '../../registry/index.js';
import type { DialectKind } from '../../store/dialect.js';
import { startCapturingServer } from '../harness/capturing-server.js';
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
  let dockerConfigDir: string;
  before(async () => {
    bed = await startTestBed({ temporal: false });
    if (engine === 'postgresql') postgres = await startTestPostgres();
    // As REGATTA_DOCKER_CONFIG_DIR and REGATTA_REGISTRY_ALLOW would set them: configs in one
    // folder, registries on loopback only.
    dockerConfigDir = join(bed.dir, 'docker-configs');
    mkdirSync(dockerConfigDir);
    api = await startApiTestServer({
      databaseUrl: postgres?.url,
      registryAccess: {
        dockerConfigDir,
        allow: RegistryAllowList.parse('127.0.0.0/8, ::1, localhost'),
      },
    });
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
        max_connections: null,
        max_requests_in_flight: null,
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

  it('ping and update – a stored secret is never sent to a new origin', async () => {
    const capture = await startCapturingServer();
    try {
      const basic = bed.sites[1];
      const { username, password } = basic.credentials!;
      const id = await create({
        name: 'bound-secret',
        url: basic.url,
        credential: { type: 'basic', access_key: username, access_secret: password },
      });
      const ping = (body: object) => call(api, 'POST', `${base}/ping`, { auth: api.admin, body });
      const put = (body: object) => call(api, 'PUT', `${base}/${id}`, { auth: api.admin, body });

      // The stored secret, pointed elsewhere: refused before anything is sent.
      for (const body of [
        { id, url: capture.url },
        { id, url: capture.url, access_secret: '*****' },
      ]) {
        assert.match(
          harborError(await ping(body), 400, 'BAD_REQUEST'),
          /^access_secret: the url moves the registry .* send the secret again/,
        );
      }
      assert.match(harborError(await put({ url: capture.url }), 400, 'BAD_REQUEST'), /^access_secret: /);
      assert.match(
        harborError(
          await put({
            url: capture.url,
            credential: { type: 'basic', access_key: username, access_secret: '*****' },
          }),
          400,
          'BAD_REQUEST',
        ),
        /^credential\.access_secret: /,
      );
      // Then pinged by id: the stored registry is unchanged and still works where it was.
      assert.equal((await ping({ id })).status, 200);
      assert.equal(
        ((await call(api, 'GET', `${base}/${id}`, { auth: api.admin })).body as { url: string }).url,
        basic.url,
      );
      assert.deepEqual(capture.requests, [], 'nothing reached the new origin');

      // With a secret of its own, the new origin gets that one, and only it.
      assert.equal((await ping({ id, url: capture.url, access_secret: 'for-the-capture' })).status, 200);
      assert.equal((await put({ url: capture.url, access_secret: 'for-the-capture' })).status, 200);
      assert.equal((await ping({ id })).status, 200);
      assert.deepEqual([...new Set(capture.credentials())], [`${username}:for-the-capture`]);
    } finally {
      await capture.stop();
    }
  });

  it('Docker config credentials – read only from the configured folder, links included', async () => {
    const auths = {
      auths: { [bed.hq.host]: { auth: Buffer.from('hq-user:hq-password-0').toString('base64') } },
    };
    writeFileSync(join(dockerConfigDir, 'hq.json'), JSON.stringify(auths));
    writeFileSync(join(bed.dir, 'outside.json'), JSON.stringify(auths));
    symlinkSync(join(bed.dir, 'outside.json'), join(dockerConfigDir, 'escape.json'));
    const body = (configPath: string) => ({
      name: `docker-config-${configPath.replace(/\W/g, '-')}`,
      url: bed.hq.url,
      ca_certificate: bed.certificates.caPem,
      credential: { type: 'docker_config', config_path: configPath },
    });
    const id = await create(body('hq.json'));
    assert.equal((await call(api, 'POST', `${base}/ping`, { auth: api.admin, body: { id } })).status, 200);
    for (const outside of ['../outside.json', join(bed.dir, 'outside.json'), '/etc/passwd']) {
      const reply = await call(api, 'POST', base, { auth: api.admin, body: body(outside) });
      assert.match(harborError(reply, 400, 'BAD_REQUEST'), /^credential\.config_path: /);
    }
    // A link passes by its name; where it leads is checked when the file is read.
    const escape = await create(body('escape.json'));
    assert.match(
      harborError(
        await call(api, 'POST', `${base}/ping`, { auth: api.admin, body: { id: escape } }),
        400,
        'BAD_REQUEST',
      ),
      /^credential\.config_path: leads outside/,
    );
    for (const registry of [id, escape])
      await call(api, 'DELETE', `${base}/${registry}`, { auth: api.admin });
  });

  it('REGATTA_REGISTRY_ALLOW – a registry outside it is refused at create, update and ping', async () => {
    const outside = 'http://10.255.255.1:5000';
    const refused = /^url: 10\.255\.255\.1:5000 is outside REGATTA_REGISTRY_ALLOW/;
    assert.match(
      harborError(
        await call(api, 'POST', base, { auth: api.admin, body: { name: 'far', url: outside } }),
        400,
        'BAD_REQUEST',
      ),
      refused,
    );
    const id = await create({ name: 'near', url: bed.sites[0].url });
    assert.match(
      harborError(
        await call(api, 'PUT', `${base}/${id}`, { auth: api.admin, body: { url: outside } }),
        400,
        'BAD_REQUEST',
      ),
      refused,
    );
    assert.match(
      harborError(
        await call(api, 'POST', `${base}/ping`, { auth: api.admin, body: { url: outside } }),
        400,
        'BAD_REQUEST',
      ),
      refused,
    );
    assert.equal((await call(api, 'POST', `${base}/ping`, { auth: api.admin, body: { id } })).status, 200);
    await call(api, 'DELETE', `${base}/${id}`, { auth: api.admin });
  });
}

for (const engine of storeEngines) {
  describe(`API /registries over real HTTP (${engine})`, () => registryApiTests(engine));
}
