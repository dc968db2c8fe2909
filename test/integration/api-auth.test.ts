import { WorkflowNotFoundError } from '@temporalio/client';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { get, type IncomingMessage } from 'node:http';
import { createApp } from '../../api/app.js';
import { serve } from '../../api/serve.js';
import { createLogger } from '../../server/logger.js';
import { createReplicationService } from '../../service/index.js';
import { driftAuditId } from '../../service/run-identity.js';
import { eventually } from '../harness/eventually.js';
import { call, harborError, startApiTestServer, type ApiTestServer, type Reply } from './api-test-server.js';

const registries = '/api/v2.0/registries';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('API authentication, roles and error codes over real HTTP', () => {
  let api: ApiTestServer;
  before(async () => {
    // No worker here: an audit never finishes, so a drift GET answers 202 after this wait.
    api = await startApiTestServer({ maxFailedLogins: 10, driftWaitMs: 300 });
  });
  after(async () => {
    await api?.stop();
  });

  it('health probes – answer without credentials', async () => {
    assert.deepEqual((await call(api, 'GET', '/healthz')).body, { status: 'ok' });
    assert.equal((await call(api, 'GET', '/readyz')).status, 200);
  });

  it("401 – without or with wrong credentials, in Harbor's shape with a challenge", async () => {
    const attempts = [
      undefined,
      basic('admin', 'wrong-password'),
      basic('root', api.adminPassword),
      'Bearer rgt_not-a-token',
      'Bearer ',
      'Digest abc',
    ];
    for (const auth of attempts) {
      const reply = await call(api, 'GET', registries, auth ? { auth } : {});
      assert.match(harborError(reply, 401, 'UNAUTHORIZED'), /^authorization: /);
      assert.equal(reply.headers.get('www-authenticate'), 'Basic realm="regatta"');
    }
  });

  it('tokens – admin creates them, a viewer reads only, deleted tokens stop working', async () => {
    const created = await call(api, 'POST', '/api/v2.0/tokens', {
      auth: api.admin,
      body: { name: 'dashboard', role: 'viewer' },
    });
    assert.equal(created.status, 201, created.text);
    const viewer = created.body as { id: number; name: string; role: string; token: string };
    assert.equal(viewer.role, 'viewer');
    assert.match(viewer.token, /^rgt_/);
    assert.equal(created.headers.get('location'), `/api/v2.0/tokens/${viewer.id}`);
    const adminToken = (
      (await call(api, 'POST', '/api/v2.0/tokens', { auth: api.admin, body: { name: 'ci', role: 'admin' } }))
        .body as { token: string }
    ).token;

    const asViewer = `Bearer ${viewer.token}`;
    const asAdminToken = `Bearer ${adminToken}`;
    assert.equal((await call(api, 'GET', registries, { auth: asViewer })).status, 200);
    assert.equal((await call(api, 'GET', '/api/v2.0/replication/policies', { auth: asViewer })).status, 200);
    assert.equal((await call(api, 'GET', '/api/v2.0/openapi.json', { auth: asViewer })).status, 200);
    const writes: Array<[string, string, object?]> = [
      ['POST', registries, { name: 'v', url: 'http://127.0.0.1:1' }],
      ['PUT', `${registries}/1`, {}],
      ['DELETE', `${registries}/1`],
      ['POST', `${registries}/ping`, { url: 'http://127.0.0.1:1' }],
      ['POST', '/api/v2.0/replication/policies', {}],
      ['GET', '/api/v2.0/tokens'],
      ['POST', '/api/v2.0/tokens', { name: 'x', role: 'admin' }],
    ];
    for (const [method, path, body] of writes) {
      harborError(
        await call(api, method, path, { auth: asViewer, ...(body ? { body } : {}) }),
        403,
        'FORBIDDEN',
      );
    }
    const byAdminToken = await call(api, 'POST', registries, {
      auth: asAdminToken,
      body: { name: 'by-token', url: 'http://127.0.0.1:2' },
    });
    assert.equal(byAdminToken.status, 201, byAdminToken.text);

    const listed = (await call(api, 'GET', '/api/v2.0/tokens', { auth: api.admin })).body as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(listed.map((token) => token.name).slice(0, 2), ['dashboard', 'ci']);
    assert.ok(listed.every((token) => !('token' in token)));
    harborError(
      await call(api, 'POST', '/api/v2.0/tokens', { auth: api.admin, body: { name: 'ci', role: 'viewer' } }),
      409,
      'CONFLICT',
    );
    assert.match(
      harborError(
        await call(api, 'POST', '/api/v2.0/tokens', { auth: api.admin, body: { name: 'x', role: 'root' } }),
        400,
        'BAD_REQUEST',
      ),
      /^role: /,
    );
    assert.equal(
      (await call(api, 'DELETE', `/api/v2.0/tokens/${viewer.id}`, { auth: api.admin })).status,
      200,
    );
    harborError(await call(api, 'GET', registries, { auth: asViewer }), 401, 'UNAUTHORIZED');
    harborError(
      await call(api, 'DELETE', `/api/v2.0/tokens/${viewer.id}`, { auth: api.admin }),
      404,
      'NOT_FOUND',
    );
  });

  it('token expiry – expires_in gives a token an expiration_time, after which it is refused 401', async () => {
    const created = await call(api, 'POST', '/api/v2.0/tokens', {
      auth: api.admin,
      body: { name: 'short-lived', role: 'viewer', expires_in: 2 },
    });
    assert.equal(created.status, 201, created.text);
    const token = created.body as { token: string; creation_time: string; expiration_time: string };
    assert.equal(Date.parse(token.expiration_time) - Date.parse(token.creation_time), 2_000);
    const auth = `Bearer ${token.token}`;
    assert.equal((await call(api, 'GET', registries, { auth })).status, 200);
    await eventually(
      async () => (await call(api, 'GET', registries, { auth })).status === 401,
      10_000,
      'the token to expire',
    );
    const listed = (await call(api, 'GET', '/api/v2.0/tokens', { auth: api.admin })).body as Array<{
      name: string;
      expiration_time: string | null;
    }>;
    assert.deepEqual(
      listed
        .map((entry) => [entry.name, entry.expiration_time])
        .filter(([name]) => name !== 'dashboard' && name !== 'ci'),
      [['short-lived', token.expiration_time]],
    );
    assert.ok(
      listed.filter((entry) => entry.name !== 'short-lived').every((entry) => entry.expiration_time === null),
    );
    for (const expires_in of [0, -5, 1.5, '60', 10 * 366 * 24 * 3600]) {
      assert.match(
        harborError(
          await call(api, 'POST', '/api/v2.0/tokens', {
            auth: api.admin,
            body: { name: 'bad', role: 'viewer', expires_in },
          }),
          400,
          'BAD_REQUEST',
        ),
        /^expires_in: /,
      );
    }
  });

  it('roles – a viewer starts nothing (drift audits included); an operator starts and stops work but changes no setup', async () => {
    const token = async (name: string, role: string) => {
      const reply = await call(api, 'POST', '/api/v2.0/tokens', { auth: api.admin, body: { name, role } });
      assert.equal(reply.status, 201, reply.text);
      return `Bearer ${(reply.body as { token: string }).token}`;
    };
    const viewer = await token('roles-viewer', 'viewer');
    const operator = await token('roles-operator', 'operator');
    const created = async (path: string, body: object) => {
      const reply = await call(api, 'POST', path, { auth: api.admin, body });
      assert.equal(reply.status, 201, reply.text);
      return Number(reply.headers.get('location')!.split('/').pop());
    };
    const source = await created(registries, { name: 'roles-src', url: 'http://127.0.0.1:1' });
    const site = await created(registries, { name: 'roles-site', url: 'http://127.0.0.1:2' });
    const policyId = await created('/api/v2.0/replication/policies', {
      name: 'roles-policy',
      src_registry: { id: source },
      dest_registry: { id: site },
    });
    const drift = `/api/v2.0/replication/policies/${policyId}/drift`;

    const work: Array<[string, string, object?]> = [
      ['POST', '/api/v2.0/replication/executions', { policy_id: policyId }],
      ['POST', '/api/v2.0/replication/executions', { policy_id: policyId, dry_run: true }],
      ['PUT', '/api/v2.0/replication/executions/1'],
      ['POST', `${registries}/ping`, { id: source }],
      ['GET', drift],
      ['GET', `${drift}?verify=off`],
      ['GET', `${drift}?verify=head`],
      ['GET', `${drift}?verify=deep`],
    ];
    for (const [method, path, body] of work) {
      const message = harborError(
        await call(api, method, path, { auth: viewer, ...(body ? { body } : {}) }),
        403,
        'FORBIDDEN',
      );
      assert.match(message, /^token:roles-viewer \(viewer\) may not start or stop work/, `${method} ${path}`);
    }
    for (const mode of ['off', 'head', 'deep']) {
      await assert.rejects(
        api.client.workflow.getHandle(driftAuditId(policyId, mode)).describe(),
        WorkflowNotFoundError,
        `a viewer started a ${mode} drift audit`,
      );
    }
    harborError(await call(api, 'GET', `${drift}/last`, { auth: viewer }), 404, 'NOT_FOUND');

    // An operator starts an audit; it outlives the wait, so the answer says where to ask again.
    const started = await call(api, 'GET', `${drift}?verify=deep`, { auth: operator });
    assert.equal(started.status, 202, started.text);
    const location = started.headers.get('location')!;
    assert.match(
      location,
      new RegExp(`^/api/v2.0/replication/policies/${policyId}/drift/deep/[0-9a-f-]{36}$`),
    );
    assert.ok(Number(started.headers.get('retry-after')) > 0);
    const described = await api.client.workflow.getHandle(driftAuditId(policyId, 'deep')).describe();
    assert.equal(described.status.name, 'RUNNING');
    assert.equal(location.split('/').pop(), described.runId);
    // Reading the status starts nothing, so a viewer may.
    const status = await call(api, 'GET', location, { auth: viewer });
    assert.equal(status.status, 202, status.text);
    assert.equal(status.headers.get('location'), location);
    harborError(await call(api, 'GET', `${drift}/deep/not-a-run-id`, { auth: viewer }), 400, 'BAD_REQUEST');
    harborError(
      await call(api, 'GET', `${drift}/deep/00000000-0000-4000-8000-000000000000`, { auth: viewer }),
      404,
      'NOT_FOUND',
    );
    await api.client.workflow.getHandle(driftAuditId(policyId, 'deep')).terminate('test over');

    const run = await call(api, 'POST', '/api/v2.0/replication/executions', {
      auth: operator,
      body: { policy_id: policyId },
    });
    assert.equal(run.status, 201, run.text);
    const plan = await call(api, 'POST', '/api/v2.0/replication/executions', {
      auth: operator,
      body: { policy_id: policyId, dry_run: true },
    });
    assert.equal(plan.status, 201, plan.text);
    for (const started of [run, plan]) {
      const stopped = await call(api, 'PUT', started.headers.get('location')!, { auth: operator });
      assert.equal(stopped.status, 200, stopped.text);
    }
    const setup: Array<[string, string, object?]> = [
      ['POST', registries, { name: 'by-operator', url: 'http://127.0.0.1:3' }],
      ['PUT', `${registries}/${source}`, { description: 'changed' }],
      ['DELETE', `${registries}/${site}`],
      [
        'POST',
        '/api/v2.0/replication/policies',
        { name: 'p', src_registry: { id: source }, dest_registry: { id: site } },
      ],
      [
        'PUT',
        `/api/v2.0/replication/policies/${policyId}`,
        { name: 'renamed', src_registry: { id: source }, dest_registry: { id: site } },
      ],
      ['DELETE', `/api/v2.0/replication/policies/${policyId}`],
      ['GET', '/api/v2.0/tokens'],
      ['POST', '/api/v2.0/tokens', { name: 'escalated', role: 'admin' }],
    ];
    for (const [method, path, body] of setup) {
      const message = harborError(
        await call(api, method, path, { auth: operator, ...(body ? { body } : {}) }),
        403,
        'FORBIDDEN',
      );
      assert.match(message, /needs the admin role$/, `${method} ${path}`);
    }
    assert.equal((await call(api, 'GET', registries, { auth: operator })).status, 200);
  });

  it('errors – bad JSON, a body too large, unknown routes, X-Request-Id echoed', async () => {
    assert.match(
      harborError(
        await call(api, 'POST', registries, { auth: api.admin, body: '{"name":' }),
        400,
        'BAD_REQUEST',
      ),
      /^body: /,
    );
    assert.match(
      harborError(
        await call(api, 'POST', registries, { auth: api.admin, body: '[1,2]' }),
        400,
        'BAD_REQUEST',
      ),
      /^body: /,
    );
    assert.match(
      harborError(
        await call(api, 'POST', registries, {
          auth: api.admin,
          body: 'name=x',
          headers: { 'content-type': 'text/plain' },
        }),
        400,
        'BAD_REQUEST',
      ),
      /^body: /,
    );
    const large = await call(api, 'POST', registries, {
      auth: api.admin,
      body: { name: 'x', description: 'y'.repeat(2 * 1024 * 1024) },
    });
    assert.equal(large.status, 413);
    assert.equal((large.body as { errors: Array<{ code: string }> }).errors[0]!.code, 'BAD_REQUEST');
    harborError(await call(api, 'GET', '/api/v2.0/nothing-here', { auth: api.admin }), 404, 'NOT_FOUND');
    harborError(await call(api, 'GET', '/nothing-here'), 404, 'NOT_FOUND');

    const echoed = await call(api, 'GET', registries, {
      auth: api.admin,
      headers: { 'x-request-id': 'trace-123' },
    });
    assert.equal(echoed.headers.get('x-request-id'), 'trace-123');
    const replaced = await call(api, 'GET', registries, {
      auth: api.admin,
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    assert.match(replaced.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
    assert.ok(api.logs.some((line) => line.includes('"id":"trace-123"')));
  });

  it('openapi.json – documents the routes with schemas generated from zod', async () => {
    const document = (await call(api, 'GET', '/api/v2.0/openapi.json', { auth: api.admin })).body as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    assert.equal(document.openapi, '3.1.0');
    for (const path of [
      '/registries',
      '/registries/ping',
      '/registries/{id}',
      '/replication/policies',
      '/replication/policies/{id}',
    ]) {
      assert.ok(path in document.paths, path);
    }
    assert.ok('dest_registries' in document.components.schemas.ReplicationPolicyInput!.properties!);
    assert.ok('webhook_secret' in document.components.schemas.RegistryInput!.properties!);
  });

  /** A GET of the registries from another loopback address, as another machine would make it. */
  async function statusFrom(
    server: { url: string },
    localAddress: string,
    headers: Record<string, string>,
  ): Promise<number> {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      get(`${server.url}${registries}`, { headers, localAddress, agent: false }, resolve).on('error', reject);
    });
    response.resume();
    return response.statusCode ?? 0;
  }

  async function burstOfBadLogins(send: (attempt: number) => Promise<Reply>): Promise<Reply> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const reply = await send(attempt);
      if (reply.status === 429) return reply;
      assert.equal(reply.status, 401, reply.text);
    }
    throw new Error('no 429 after 20 failed logins');
  }

  it('429 – a burst of bad logins locks that user at that address only: bearer tokens, other addresses and the right password elsewhere get in', async () => {
    const created = await call(api, 'POST', '/api/v2.0/tokens', {
      auth: api.admin,
      body: { name: 'throttle-viewer', role: 'viewer' },
    });
    const bearer = `Bearer ${(created.body as { token: string }).token}`;
    // Guessing another user's password locks that user only.
    await burstOfBadLogins((attempt) =>
      call(api, 'GET', registries, { auth: basic('root', `guess-${attempt}`) }),
    );
    assert.equal((await call(api, 'GET', registries, { auth: api.admin })).status, 200);
    const limited = await burstOfBadLogins((attempt) =>
      call(api, 'GET', registries, { auth: basic('admin', `guess-${attempt}`) }),
    );
    harborError(limited, 429, 'TOO_MANY_REQUEST');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    // The locked pair: even the right password is refused, so guessing on tells nothing.
    harborError(await call(api, 'GET', registries, { auth: api.admin }), 429, 'TOO_MANY_REQUEST');
    assert.equal((await call(api, 'GET', registries, { auth: bearer })).status, 200);
    // Bad bearer tokens lock nothing either.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      harborError(
        await call(api, 'GET', registries, { auth: `Bearer rgt_guess-${attempt}` }),
        401,
        'UNAUTHORIZED',
      );
    }
    assert.equal((await call(api, 'GET', registries, { auth: bearer })).status, 200);
    assert.equal(await statusFrom(api, '127.0.0.2', { authorization: api.admin }), 200);
  });

  it('trusted proxy – X-Forwarded-For names the client only when it comes from REGATTA_TRUSTED_PROXY', async () => {
    const logger = createLogger({ level: 'silent' });
    const service = createReplicationService({ store: api.store, client: api.client });
    const serveBehind = (trustedProxy?: string) =>
      serve(
        createApp({
          logger,
          service,
          adminPassword: api.adminPassword,
          isTemporalReachable: async () => true,
          maxFailedLogins: 10,
          ...(trustedProxy ? { trustedProxy } : {}),
        }),
        0,
        '127.0.0.1',
      );
    const behindProxy = await serveBehind('127.0.0.3');
    const direct = await serveBehind();
    try {
      const proxied = { url: `http://127.0.0.1:${behindProxy.port}` };
      const forwarded = (client: string, auth: string) => ({
        authorization: auth,
        'x-forwarded-for': client,
      });
      await burstOfBadLogins(async (attempt) => {
        const status = await statusFrom(
          proxied,
          '127.0.0.3',
          forwarded('203.0.113.5', basic('admin', `g${attempt}`)),
        );
        return { status, headers: new Headers(), text: '', body: undefined };
      });
      assert.equal(await statusFrom(proxied, '127.0.0.3', forwarded('203.0.113.5', api.admin)), 429);
      assert.equal(await statusFrom(proxied, '127.0.0.3', forwarded('203.0.113.6', api.admin)), 200);

      // Not from a trusted proxy: the header is the client's word and changes nothing.
      const plain = { url: `http://127.0.0.1:${direct.port}` };
      await burstOfBadLogins(async (attempt) => {
        const status = await statusFrom(
          plain,
          '127.0.0.4',
          forwarded(`198.51.100.${attempt}`, basic('admin', `g${attempt}`)),
        );
        return { status, headers: new Headers(), text: '', body: undefined };
      });
      assert.equal(await statusFrom(plain, '127.0.0.4', forwarded('198.51.100.200', api.admin)), 429);
    } finally {
      await behindProxy.close();
      await direct.close();
    }
  });

  it('500 – a failing store answers UNKNOWN, logged with the request id, without detail', async () => {
    const broken = await startApiTestServer();
    try {
      await broken.store.close();
      const reply = await call(broken, 'GET', registries, { auth: broken.admin });
      const message = harborError(reply, 500, 'UNKNOWN');
      assert.doesNotMatch(message, /sqlite|database|kysely/i);
      const requestId = reply.headers.get('x-request-id')!;
      const logged = broken.logs.map(
        (line) => JSON.parse(line) as { level: number; msg: string; req?: { id: string } },
      );
      assert.ok(logged.some((line) => line.level === 50 && line.msg === 'request failed'));
      assert.ok(logged.some((line) => line.level === 50 && line.req?.id === requestId));
      // 4xx are not logged as errors.
      assert.ok(api.logs.every((line) => (JSON.parse(line) as { level: number }).level < 50));
    } finally {
      await broken.stop().catch(() => undefined);
    }
  });
});
