import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { call, startApiTestServer, type ApiTestServer, type Reply } from './api-test-server.js';
import { storedCredentials } from '../harness/stored-credentials.js';

// Distinct values, so a leak anywhere is found by a plain substring search.
const accessSecret = 'leak-canary-access-7d1e';
const newAccessSecret = 'leak-canary-rotated-9b3f';
const webhookSecret = 'leak-canary-webhook-42af90';

describe('API secret redaction – no secret in any response or log line', () => {
  let bed: TestBed;
  let api: ApiTestServer;
  const replies: Reply[] = [];
  let token = '';

  before(async () => {
    bed = await startTestBed({ temporal: false });
    api = await startApiTestServer();
  });
  after(async () => {
    await api?.stop();
    await bed?.stop();
  });

  it('exercises – every route with secrets in bodies and headers, including failures', async () => {
    const record = async (method: string, path: string, options: Parameters<typeof call>[3] = {}) => {
      const reply = await call(api, method, path, { auth: api.admin, ...options });
      replies.push(reply);
      return reply;
    };
    const [, basic] = bed.sites;
    const created = await record('POST', '/api/v2.0/registries', {
      body: {
        name: 'secretive',
        url: basic.url,
        credential: { type: 'basic', access_key: basic.credentials!.username, access_secret: accessSecret },
        webhook_secret: webhookSecret,
      },
    });
    assert.equal(created.status, 201);
    const location = created.headers.get('location')!;
    const id = Number(location.split('/').pop());
    await record('POST', '/api/v2.0/registries', {
      body: {
        name: 'secretive',
        url: basic.url,
        credential: { type: 'basic', access_key: 'u', access_secret: accessSecret },
      },
    });
    await record('POST', '/api/v2.0/registries', {
      body: {
        name: 'bad',
        url: `http://u:${accessSecret}@127.0.0.1:1`,
        credential: { type: 'basic', access_key: 5, access_secret: accessSecret },
      },
    });
    await record('POST', '/api/v2.0/registries', {
      body: { name: 'typo', url: basic.url, acces_secret: accessSecret },
    });
    await record('POST', '/api/v2.0/registries', {
      body: `{"name":"x","credential":{"access_secret":"${accessSecret}"`,
    });
    await record('GET', location);
    await record('GET', '/api/v2.0/registries');
    await record('PUT', location, { body: { access_secret: newAccessSecret, webhook_secret: '*****' } });
    await record('PUT', location, { body: { access_secret: 42, access_key: accessSecret.length } });
    await record('POST', '/api/v2.0/registries/ping', { body: { id } });
    await record('POST', '/api/v2.0/registries/ping', {
      body: { url: basic.url, access_key: 'site-user', access_secret: accessSecret },
    });
    await record('POST', '/api/v2.0/registries/ping', { body: { id, access_secret: accessSecret } });
    const other = await record('POST', '/api/v2.0/registries', {
      body: { name: 'plain', url: bed.sites[0].url },
    });
    const otherId = Number(other.headers.get('location')!.split('/').pop());
    const policy = await record('POST', '/api/v2.0/replication/policies', {
      body: { name: 'p', src_registry: { id }, dest_registry: { id: otherId } },
    });
    await record('GET', policy.headers.get('location')!);
    await record('GET', '/api/v2.0/replication/policies');
    await record('DELETE', location);
    const tokenReply = await record('POST', '/api/v2.0/tokens', { body: { name: 'ci', role: 'viewer' } });
    token = (tokenReply.body as { token: string }).token;
    replies.pop(); // The one response that must show a secret: the token, once.
    replies.push(await call(api, 'GET', '/api/v2.0/tokens', { auth: `Bearer ${token}` }));
    replies.push(await call(api, 'GET', '/api/v2.0/registries', { auth: `Bearer ${token}x` }));
    replies.push(
      await call(api, 'GET', '/api/v2.0/registries', {
        auth: `Basic ${Buffer.from(`admin:${accessSecret}`).toString('base64')}`,
      }),
    );

    assert.deepEqual(await storedCredentials(api.store, id), {
      username: basic.credentials!.username,
      password: newAccessSecret,
    });
  });

  it('responses – never hold a secret, the admin password or a token', () => {
    assert.ok(replies.length >= 20, `only ${replies.length} replies`);
    const secrets = [accessSecret, newAccessSecret, webhookSecret, api.adminPassword, token];
    for (const reply of replies) {
      const headers = JSON.stringify([...reply.headers.entries()]);
      for (const secret of secrets) {
        assert.ok(!reply.text.includes(secret), `a response holds a secret: ${reply.text}`);
        assert.ok(!headers.includes(secret), `response headers hold a secret: ${headers}`);
      }
    }
  });

  it('logs – never hold a secret, the admin password, a token or an Authorization header', () => {
    assert.ok(api.logs.length > 20);
    const encodedAdmin = Buffer.from(`admin:${api.adminPassword}`).toString('base64');
    const secrets = [accessSecret, newAccessSecret, webhookSecret, api.adminPassword, token, encodedAdmin];
    for (const line of api.logs) {
      for (const secret of secrets) assert.ok(!line.includes(secret), `a log line holds a secret: ${line}`);
    }
    assert.ok(api.logs.some((line) => line.includes('"authorization":"*****"')));
  });
});
