import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  copyArtifact,
  createRegistryClient,
  RegistryAllowList,
  type RegistryClient,
  type RegistryEndpoint,
} from '../../registry/index.js';
import {
  sendHugeBody,
  startCapturingServer,
  type CapturingServer,
  type Responder,
} from '../harness/capturing-server.js';
import { eventually } from '../harness/eventually.js';
import { pushImage } from '../harness/images.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { startTokenAuthRegistry, type TokenServer } from '../harness/token-server.js';
import type { RegistryServer } from '../harness/registry-server.js';

const tokenUser = { username: 'token-user', password: 'token-password-2' };
const registrySecret = { username: 'robot', password: 'registry-secret-5c1d' };
const blobDigest = `sha256:${'b'.repeat(64)}`;

/** A registry that wants `challenge` until it gets an Authorization, then lets `then` answer. */
function challenging(
  challenge: () => string,
  then: Responder = (_, response) => void response.end('{}'),
): Responder {
  return (request, response) => {
    if (!request.headers.authorization) {
      response.writeHead(401, { 'www-authenticate': challenge() }).end();
      return;
    }
    then(request, response);
  };
}

/** A token server that hands out a token to anyone. */
const tokenIssuer: Responder = (_, response) => {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'issued' }));
};

function expectCode(code: string, retryable: boolean) {
  return (error: Error & { code?: string; retryable?: boolean }) => {
    assert.equal(error.code, code);
    assert.equal(error.retryable, retryable);
    assert.doesNotMatch(error.message, /password/);
    return true;
  };
}

describe('registry client – authentication and transport', () => {
  let bed: TestBed;
  let tokenAuth: { registry: RegistryServer; tokenServer: TokenServer; stop(): Promise<void> };
  let accessTokenAuth: { registry: RegistryServer; tokenServer: TokenServer; stop(): Promise<void> };
  const clients: RegistryClient[] = [];
  const client = (endpoint: RegistryEndpoint) => {
    const created = createRegistryClient(endpoint);
    clients.push(created);
    return created;
  };
  const servers: CapturingServer[] = [];
  const capturing = async (options: Parameters<typeof startCapturingServer>[0]) => {
    const server = await startCapturingServer(options);
    servers.push(server);
    return server;
  };

  before(async () => {
    bed = await startTestBed({ temporal: false });
    const tokenServer = {
      certificates: bed.certificates,
      users: [tokenUser],
      identityTokens: { 'refresh-abc': 'token-user' },
    };
    mkdirSync(join(bed.dir, 'token-a'));
    mkdirSync(join(bed.dir, 'token-b'));
    tokenAuth = await startTokenAuthRegistry({ name: 'token-a', dir: join(bed.dir, 'token-a'), tokenServer });
    accessTokenAuth = await startTokenAuthRegistry({
      name: 'token-b',
      dir: join(bed.dir, 'token-b'),
      tokenServer: { ...tokenServer, tokenField: 'access_token', expiresInSeconds: 2 },
    });
  });
  after(async () => {
    for (const created of clients) await created.close();
    for (const server of servers) await server.stop();
    await tokenAuth?.stop();
    await accessTokenAuth?.stop();
    await bed?.stop();
  });

  it('basic auth – works with the right password; a wrong one is a non-retryable unauthorized', async () => {
    const site = bed.sites[1];
    await client({ url: site.url, credentials: site.credentials }).ping();
    await assert.rejects(
      client({ url: site.url, credentials: { username: 'site-user', password: 'wrong-password' } }).ping(),
      expectCode('REGISTRY_UNAUTHORIZED', false),
    );
    await assert.rejects(client({ url: site.url }).ping(), expectCode('REGISTRY_UNAUTHORIZED', false));
  });

  it('basic auth – requests sent at once before the first challenge are each retried with the credentials', async () => {
    const site = bed.sites[1];
    const image = await pushImage({ registry: site }, 'auth/at-once', 'v1', { layerSizes: [1024, 2048] });
    // A new client knows no scheme yet: all 16 HEADs go bare, are challenged, and must go again.
    const fresh = client({ url: site.url, credentials: site.credentials });
    const digests = [...image.blobs.keys()];
    const heads = await Promise.all(
      Array.from({ length: 16 }, (_, index) =>
        fresh.headBlob('auth/at-once', digests[index % digests.length]!),
      ),
    );
    assert.ok(heads.every((head) => head !== undefined && head.size > 0));
    // Refused credentials are still not sent twice.
    const wrong = client({
      url: site.url,
      credentials: { username: 'site-user', password: 'wrong-password' },
    });
    const refused = await Promise.allSettled(
      Array.from({ length: 4 }, () => wrong.headBlob('auth/at-once', digests[0]!)),
    );
    for (const result of refused) {
      assert.equal(result.status, 'rejected');
      expectCode('REGISTRY_UNAUTHORIZED', false)(result.reason as Error);
    }
  });

  it('TLS – trusted with the test CA, refused without it, accepted unverified only when insecure', async () => {
    const site = bed.sites[2];
    await client({ url: site.url, caPem: site.caPem }).ping();
    await assert.rejects(client({ url: site.url }).ping(), expectCode('REGISTRY_TLS', false));
    await client({ url: site.url, insecure: true }).ping();
  });

  it('insecure HTTP – plain HTTP to loopback works; to another host it needs insecure: true', async () => {
    await client({ url: bed.sites[0].url }).ping();
    assert.throws(() => createRegistryClient({ url: 'http://registry.example:5000' }), {
      code: 'INVALID_INPUT',
    });
  });

  it('bearer token – copy into a token-auth registry; tokens are cached per scope', async () => {
    const image = await pushImage({ registry: bed.hq }, 'tokens/app', 'v1', { layerSizes: [2000, 3000] });
    const target = client({ url: tokenAuth.registry.url, credentials: tokenUser });
    const result = await copyArtifact({
      source: {
        client: client({ url: bed.hq.url, credentials: bed.hq.credentials, caPem: bed.hq.caPem }),
        repository: 'tokens/app',
        reference: 'v1',
      },
      targets: [{ id: 'token', client: target, repository: 'tokens/app' }],
    });
    assert.equal(result.targets[0]!.status, 'copied', JSON.stringify(result.targets[0]!.error));
    assert.equal((await target.headManifest('tokens/app', 'v1'))?.digest, image.digest);
    const requests = tokenAuth.tokenServer.requests.filter((request) => request.user === 'token-user');
    assert.ok(requests.some((request) => request.scopes.includes('repository:tokens/app:pull,push')));
    // One token per scope set, not one per request.
    assert.ok(requests.length <= 4, `token requests: ${requests.length}`);
    const pages: string[][] = [];
    for await (const page of target.listRepositories()) pages.push(page);
    assert.deepEqual(pages.flat(), ['tokens/app']);
  });

  it('bearer token – access_token field, expiry re-fetch and identity tokens', async () => {
    const blob = randomBytes(1000);
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const byPassword = client({ url: accessTokenAuth.registry.url, credentials: tokenUser });
    assert.equal(await byPassword.uploadBlob('expiry/app', { digest, size: blob.length }, blob), 'uploaded');
    const before = accessTokenAuth.tokenServer.requests.length;
    // The token lives 2 s: requests go on working, and once it expires a new one is fetched.
    await eventually(
      async () => {
        assert.deepEqual(await byPassword.headBlob('expiry/app', digest), { size: blob.length });
        return accessTokenAuth.tokenServer.requests.length > before;
      },
      15_000,
      'an expired token to be fetched again',
      250,
    );
    const byIdentity = client({
      url: accessTokenAuth.registry.url,
      credentials: { identitytoken: 'refresh-abc' },
    });
    assert.deepEqual(await byIdentity.headBlob('expiry/app', digest), { size: blob.length });
    assert.ok(
      accessTokenAuth.tokenServer.requests.some(
        (request) => request.grant === 'refresh_token' && request.user,
      ),
    );
  });

  it('bearer token – wrong credentials are a non-retryable unauthorized', async () => {
    const wrong = client({
      url: tokenAuth.registry.url,
      credentials: { username: 'token-user', password: 'nope' },
    });
    await assert.rejects(wrong.headManifest('tokens/app', 'v1'), expectCode('REGISTRY_UNAUTHORIZED', false));
    const unknownIdentity = client({ url: tokenAuth.registry.url, credentials: { identitytoken: 'forged' } });
    await assert.rejects(
      unknownIdentity.headManifest('tokens/app', 'v1'),
      expectCode('REGISTRY_UNAUTHORIZED', false),
    );
  });

  it('redirect – a 401 from where the registry redirected to is no challenge: nothing reaches it or its realm', async () => {
    const elsewhere = await capturing({
      respond: (_, response) => {
        response.writeHead(401, {
          'www-authenticate': `Bearer realm="${elsewhere.url}/token",service="cdn"`,
        });
        response.end();
      },
    });
    // The registry wants Basic for /v2/ and sends blobs to storage elsewhere.
    const registry = await capturing({
      respond: (request, response) => {
        if (request.url !== '/v2/') {
          response.writeHead(307, { location: `${elsewhere.url}/cdn/blob` }).end();
          return;
        }
        challenging(() => 'Basic realm="registry"')(request, response);
      },
    });
    const registryClient = client({ url: registry.url, credentials: registrySecret });
    await registryClient.ping();
    // The blob request carries Basic to the registry; the storage's 401 asks for a token.
    await assert.rejects(
      registryClient.getBlob('redirect/app', blobDigest),
      (error: Error & { code?: string; retryable?: boolean }) => {
        assert.equal(error.code, 'REGISTRY_UNAUTHORIZED');
        assert.equal(error.retryable, false);
        assert.match(error.message, /redirected to 127\.0\.0\.1:\d+/);
        return true;
      },
    );
    const basic = `${registrySecret.username}:${registrySecret.password}`;
    assert.deepEqual(registry.credentials(), [basic, basic]);
    assert.deepEqual(elsewhere.credentials(), [], 'the redirect target or its realm got a credential');
    assert.deepEqual(
      elsewhere.requests.map((request) => request.path),
      ['/cdn/blob'],
    );
  });

  it('token realm – an https registry may not send credentials to a plain-HTTP realm, and the realm is not kept', async () => {
    const plainRealm = await capturing({ respond: tokenIssuer });
    const httpsRealm = await capturing({ respond: tokenIssuer, tls: bed.certificates });
    let realm = `${plainRealm.url}/token`;
    const registry = await capturing({
      tls: bed.certificates,
      respond: challenging(() => `Bearer realm="${realm}",service="registry"`),
    });
    const refused = client({ url: registry.url, caPem: bed.certificates.caPem, credentials: registrySecret });
    for (let attempt = 0; attempt < 2; attempt++) {
      await assert.rejects(refused.ping(), expectCode('REGISTRY_REALM_REFUSED', false));
    }
    assert.deepEqual(plainRealm.requests, [], 'the plain-HTTP realm was asked');
    // Asked anew each time (no realm kept), the registry got no Authorization either.
    assert.deepEqual(
      registry.requests.map((request) => request.authorization),
      [undefined, undefined],
    );

    // The same client, once the registry names an https realm: credentials go there, a token back.
    realm = `${httpsRealm.url}/token`;
    await refused.ping();
    assert.deepEqual(httpsRealm.credentials(), [`${registrySecret.username}:${registrySecret.password}`]);
    assert.equal(registry.requests.at(-1)!.authorization, 'Bearer issued');
  });

  it('token reply – more than 1 MiB is refused without reading the rest', async () => {
    let sent: Promise<number> | undefined;
    const realm = await capturing({
      respond: (_, response) => {
        sent = sendHugeBody(response, 200, 200 * 1024 * 1024);
      },
    });
    const registry = await capturing({ respond: challenging(() => `Bearer realm="${realm.url}/token"`) });
    await assert.rejects(
      client({ url: registry.url, credentials: registrySecret }).ping(),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'REGISTRY_BAD_REQUEST');
        assert.match(error.message, /token reply for 127\.0\.0\.1:\d+ larger than 1048576 bytes/);
        return true;
      },
    );
    const bytes = await sent!;
    assert.ok(bytes < 32 * 1024 * 1024, `the realm got to send ${bytes} bytes`);
  });

  it('REGATTA_REGISTRY_ALLOW – every connection is checked: the registry, a name resolving outside, a redirect', async () => {
    const site = bed.sites[0];
    assert.throws(
      () => createRegistryClient({ url: site.url, allow: RegistryAllowList.parse('10.0.0.0/8') }),
      {
        code: 'REGISTRY_NOT_ALLOWED',
        retryable: false,
      },
    );
    // A name not listed is allowed only by where it resolves, at each connection.
    const byName = site.url.replace('127.0.0.1', 'localhost');
    await assert.rejects(
      client({ url: byName, allow: RegistryAllowList.parse('10.0.0.0/8') }).ping(),
      expectCode('REGISTRY_NOT_ALLOWED', false),
    );
    await client({ url: byName, allow: RegistryAllowList.parse('127.0.0.1/32') }).ping();

    // A registry on an allowed address that redirects a blob to one that is not.
    const outside = await capturing({ host: '127.0.0.2' });
    const registry = await capturing({
      respond: (_, response) => void response.writeHead(307, { location: `${outside.url}/cdn/blob` }).end(),
    });
    await assert.rejects(
      client({ url: registry.url, allow: RegistryAllowList.parse('127.0.0.1') }).getBlob(
        'redirect/app',
        blobDigest,
      ),
      expectCode('REGISTRY_NOT_ALLOWED', false),
    );
    assert.deepEqual(outside.requests, []);
  });
});
