import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { errorCode } from '../../errors/regatta-error.js';
import { postNotification, type OutgoingNotification } from '../../notifications/index.js';
import { sendHugeBody, startCapturingServer, type CapturingServer } from '../harness/capturing-server.js';
import { freePort } from '../harness/free-port.js';

// postNotification against a real HTTP server on loopback: what it sends, and how each answer is
// classified (delivered, tried again, refused for good).

const secret = 'post-test-hmac-secret-42';
const body = '{"type":"ping","occurred_at":"t","notification_policy":{"id":1,"name":"ops"}}';

describe('postNotification – a signed POST, classified by its answer', () => {
  let server: CapturingServer;
  let hugeSent: Promise<number> | undefined;

  before(async () => {
    server = await startCapturingServer({
      bodies: true,
      respond: (request, response) => {
        const status = Number(/\/status\/(\d+)/.exec(request.url ?? '')?.[1] ?? 200);
        if (request.url?.startsWith('/huge')) {
          hugeSent = sendHugeBody(response, 200, 64 * 1024 * 1024);
          return;
        }
        if (request.url?.startsWith('/hang')) return;
        const asked = /^\/retry-after\/(\d+)\/(.+)$/.exec(request.url ?? '');
        if (asked) {
          response.writeHead(Number(asked[1]), { 'retry-after': decodeURIComponent(asked[2]!) }).end('later');
          return;
        }
        response
          .writeHead(status, status === 301 ? { location: 'http://127.0.0.2:1/elsewhere' } : {})
          .end('ok');
      },
    });
  });
  after(() => server?.stop());

  const notification = (
    path: string,
    overrides: Partial<OutgoingNotification> = {},
  ): OutgoingNotification => ({
    address: `${server.url}${path}`,
    skipCertVerify: false,
    authHeader: null,
    hmacSecret: null,
    eventType: 'ping',
    deliveryId: '7',
    body,
    timeoutMs: 5_000,
    ...overrides,
  });

  it('sends – JSON, its event and delivery, a timestamp, the signature of both and the auth header', async () => {
    const before = server.requests.length;
    const result = await postNotification(
      notification('/hook?token=x', {
        hmacSecret: secret,
        authHeader: 'Bearer receiver-token',
        now: () => 1_700_000_000,
      }),
    );
    assert.deepEqual(result, { status: 200 });
    const [sent] = server.requests.slice(before);
    assert.equal(sent!.method, 'POST');
    assert.equal(sent!.path, '/hook?token=x');
    assert.equal(sent!.body, body);
    const headers = sent!.headers;
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers['user-agent'], 'Regatta');
    assert.equal(headers['x-regatta-event'], 'ping');
    assert.equal(headers['x-regatta-delivery'], '7');
    assert.equal(headers['x-regatta-timestamp'], '1700000000');
    assert.equal(headers.authorization, 'Bearer receiver-token');
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    assert.equal(headers['x-regatta-signature'], `sha256=${expected}`);
    assert.ok(!JSON.stringify(headers).includes(secret), 'the HMAC secret itself is never sent');
  });

  it('sends – no signature and no Authorization when the policy has neither', async () => {
    const before = server.requests.length;
    await postNotification(notification('/plain'));
    const [sent] = server.requests.slice(before);
    assert.equal(sent!.headers['x-regatta-signature'], undefined);
    assert.equal(sent!.headers.authorization, undefined);
  });

  const answers: Array<[number, string | undefined, boolean | undefined]> = [
    [200, undefined, undefined],
    [202, undefined, undefined],
    [204, undefined, undefined],
    [301, 'NOTIFICATION_REJECTED', false],
    [400, 'NOTIFICATION_REJECTED', false],
    [401, 'NOTIFICATION_REJECTED', false],
    [404, 'NOTIFICATION_REJECTED', false],
    [408, 'NOTIFICATION_SERVER_ERROR', true],
    [429, 'NOTIFICATION_SERVER_ERROR', true],
    [500, 'NOTIFICATION_SERVER_ERROR', true],
    [503, 'NOTIFICATION_SERVER_ERROR', true],
  ];
  for (const [status, code, retryable] of answers) {
    it(`answer ${status} – ${code ? `${code}, ${retryable ? 'tried again' : 'not tried again'}` : 'delivered'}`, async () => {
      const posting = postNotification(notification(`/status/${status}/secret-path-token`));
      if (!code) {
        assert.deepEqual(await posting, { status });
        return;
      }
      await assert.rejects(posting, (error: Error & { retryable?: boolean; status?: number }) => {
        assert.equal(errorCode(error), code);
        assert.equal(error.retryable, retryable);
        assert.equal(error.status, status);
        assert.doesNotMatch(error.message, /secret-path-token/, 'errors name the origin only');
        return true;
      });
    });
  }

  const waits: Array<[string, number, (now: number) => string, number | undefined]> = [
    ['429, Retry-After in seconds', 429, () => '30', 30_000],
    ['503, Retry-After as an HTTP date', 503, (now) => new Date(now + 90_000).toUTCString(), 90_000],
    ['503, a Retry-After that says nothing', 503, () => 'soon', undefined],
    ['429, a Retry-After of ages', 429, () => '99999999999999', 30 * 24 * 3600 * 1000],
  ];
  for (const [name, status, value, waitMs] of waits) {
    it(`answer ${name} – tried again ${waitMs === undefined ? 'on the backoff' : 'not before then'}`, async () => {
      const now = Date.now();
      await assert.rejects(
        postNotification(notification(`/retry-after/${status}/${encodeURIComponent(value(now))}`)),
        (error: Error & { resumeAt?: string; retryable?: boolean }) => {
          assert.equal(errorCode(error), 'NOTIFICATION_SERVER_ERROR');
          assert.equal(error.retryable, true);
          if (waitMs === undefined) {
            assert.equal(error.resumeAt, undefined);
            return true;
          }
          // An HTTP date has whole seconds: the wait asked may be up to a second shorter.
          const resumeIn = Date.parse(error.resumeAt!) - now;
          assert.ok(resumeIn > waitMs - 1_500 && resumeIn <= waitMs + 1_000, `resumes in ${resumeIn} ms`);
          assert.match(error.message, /asked to wait \d+ s/);
          return true;
        },
      );
    });
  }

  it('a redirect – not followed: one request, to the address given', async () => {
    const before = server.requests.length;
    await assert.rejects(postNotification(notification('/status/301')), /redirects are not followed/);
    assert.equal(server.requests.length - before, 1);
  });

  it('no answer – a closed port is NOTIFICATION_UNREACHABLE, retryable, naming the origin only', async () => {
    const port = await freePort();
    await assert.rejects(
      postNotification(notification('', { address: `http://127.0.0.1:${port}/hook/secret-path-token` })),
      (error: Error & { retryable?: boolean }) => {
        assert.equal(errorCode(error), 'NOTIFICATION_UNREACHABLE');
        assert.equal(error.retryable, true);
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
        assert.doesNotMatch(error.message, /secret-path-token/);
        return true;
      },
    );
  });

  it('no answer – a receiver that hangs is given up at the deadline', async () => {
    const started = Date.now();
    await assert.rejects(
      postNotification(notification('/hang', { timeoutMs: 500 })),
      /no answer within 0\.5 s/,
    );
    assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
  });

  it('a huge answer – read at most a bound, the rest never downloaded', async () => {
    assert.deepEqual(await postNotification(notification('/huge')), { status: 200 });
    const sent = await hugeSent!;
    assert.ok(sent < 8 * 1024 * 1024, `the receiver got to send ${sent} bytes`);
  });
});
