import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  copyArtifact,
  createRegistryClient,
  type RegistryClient,
  type RegistryEndpoint,
} from '../../registry/index.js';
import { eventually } from '../harness/eventually.js';
import { pushImage } from '../harness/images.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { startTokenAuthRegistry, type TokenServer } from '../harness/token-server.js';
import type { RegistryServer } from '../harness/registry-server.js';

const tokenUser = { username: 'token-user', password: 'token-password-2' };

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
});
