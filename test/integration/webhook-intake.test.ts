import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { call, startApiTestServer, type ApiTestServer } from './api-test-server.js';

const secret = 'intake-test-webhook-secret';
const push = JSON.stringify({
  events: [
    {
      action: 'push',
      target: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        repository: 'production/intake',
        tag: 'v1',
        digest: `sha256:${'a'.repeat(64)}`,
      },
    },
  ],
});

interface Delivery {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

describe('webhook intake – rate, secret and content type checked before the body is read', () => {
  let api: ApiTestServer;
  let path: string;
  before(async () => {
    api = await startApiTestServer({ webhookRate: { burst: 20, perSecond: 0.1 } });
    const created = await call(api, 'POST', '/api/v2.0/registries', {
      auth: api.admin,
      body: { name: 'hq', url: 'http://127.0.0.1:1', webhook_secret: secret },
    });
    assert.equal(created.status, 201, created.text);
    path = `/webhooks/registries/${created.headers.get('location')!.split('/').pop()}`;
  });
  after(async () => {
    await api?.stop();
  });

  /**
   * A delivery from `localAddress`. With `stallAfter`, the body announces 1 MiB but only that many
   * bytes are sent: an answer can only come from a server that did not wait for the body.
   */
  function deliver(
    headers: Record<string, string>,
    {
      body = push,
      localAddress = '127.0.0.1',
      stallAfter,
    }: { body?: string; localAddress?: string; stallAfter?: number } = {},
  ): Promise<Delivery> {
    return new Promise((resolve, reject) => {
      const outgoing = request(`${api.url}${path}`, {
        method: 'POST',
        headers: {
          ...headers,
          'content-length': String(stallAfter === undefined ? Buffer.byteLength(body) : 1024 * 1024),
        },
        localAddress,
        agent: false,
      });
      const timer = setTimeout(() => {
        outgoing.destroy();
        reject(new Error('no answer within 5 s: the server waited for the body'));
      }, 5_000);
      outgoing.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          clearTimeout(timer);
          outgoing.destroy();
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text });
        });
      });
      outgoing.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      if (stallAfter === undefined) outgoing.end(body);
      else outgoing.write(Buffer.alloc(stallAfter, 'x'));
    });
  }

  const errorCode = (delivery: Delivery) =>
    (JSON.parse(delivery.text) as { errors: Array<{ code: string }> }).errors[0]!.code;

  it('wrong secret – 401 for a 1 MiB body of which 64 KiB were sent: nothing waited for, the connection closed', async () => {
    for (const authorization of [`Bearer not-the-${secret}`, '']) {
      const started = Date.now();
      const refused = await deliver(
        { authorization, 'content-type': 'application/json' },
        { stallAfter: 64 * 1024 },
      );
      assert.equal(refused.status, 401, refused.text);
      assert.equal(errorCode(refused), 'UNAUTHORIZED');
      assert.equal(refused.headers.connection, 'close');
      assert.ok(Date.now() - started < 2_000);
    }
  });

  it('content types – JSON in any registry’s type is taken; anything else is 415 before the body is read', async () => {
    const accepted = [
      'application/json',
      'application/json; charset=utf-8',
      'application/vnd.docker.distribution.events.v1+json',
      'application/vnd.docker.distribution.events.v2+json',
      'application/cloudevents+json',
    ];
    for (const type of accepted) {
      const delivery = await deliver({ authorization: `Bearer ${secret}`, 'content-type': type });
      assert.equal(delivery.status, 202, `${type}: ${delivery.text}`);
    }
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'multipart/form-data',
    ]) {
      const refused = await deliver(
        { authorization: `Bearer ${secret}`, 'content-type': type },
        { stallAfter: 64 * 1024 },
      );
      assert.equal(refused.status, 415, `${type}: ${refused.text}`);
      assert.equal(errorCode(refused), 'UNSUPPORTED_MEDIA_TYPE');
    }
    const untyped = await deliver({ authorization: `Bearer ${secret}` });
    assert.equal(untyped.status, 415, untyped.text);
  });

  it('rate – past its burst an address gets 429 with Retry-After, counted as throttled; another address is still served', async () => {
    const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
    for (let delivery = 0; delivery < 20; delivery++) {
      assert.equal((await deliver(headers, { localAddress: '127.0.0.5' })).status, 202);
    }
    const throttled = await deliver(headers, { localAddress: '127.0.0.5' });
    assert.equal(throttled.status, 429, throttled.text);
    assert.equal(errorCode(throttled), 'TOO_MANY_REQUEST');
    assert.ok(Number(throttled.headers['retry-after']) >= 1);
    // A wrong secret spends a token too, and is refused before it is checked.
    const guessing = await deliver(
      { ...headers, authorization: 'Bearer guess' },
      { localAddress: '127.0.0.5' },
    );
    assert.equal(guessing.status, 429);
    assert.equal((await deliver(headers, { localAddress: '127.0.0.6' })).status, 202);

    const metrics = await fetch(`${api.url}/metrics`, { headers: { authorization: api.admin } });
    const text = await metrics.text();
    assert.match(text, /regatta_webhook_deliveries_total\{source="unknown",outcome="throttled"\} 2/);
  });
});
