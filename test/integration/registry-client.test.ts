import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { getEventListeners, once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  createRegistryClient,
  manifestMediaTypes,
  verifyArtifact,
  type RegistryClient,
  type RegistryEndpoint,
} from '../../registry/index.js';
import { sendHugeBody } from '../harness/capturing-server.js';
import { startDroppingProxy } from '../harness/dropping-proxy.js';
import { pushImage } from '../harness/images.js';
import { rawGetBlob } from '../harness/raw-client.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Manifests by digest, and the index that lists them (`listing` says which, in order, repeats allowed). */
function manifestSet(count: number, padding: number) {
  const config = {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    digest: `sha256:${'c'.repeat(64)}`,
    size: 2,
  };
  const children = Array.from({ length: count }, (_, index) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: manifestMediaTypes.ociManifest,
        config,
        layers: [],
        annotations: { index: String(index), padding: 'x'.repeat(padding) },
      }),
    ),
  );
  const byDigest = new Map(children.map((bytes) => [sha256(bytes), bytes]));
  const index = (listing: number[]) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: manifestMediaTypes.ociIndex,
        manifests: listing.map((at) => ({
          mediaType: manifestMediaTypes.ociManifest,
          digest: sha256(children[at]!),
          size: children[at]!.length,
        })),
      }),
    );
  return { byDigest, index };
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  assert.ok(typeof address === 'object' && address);
  return `http://127.0.0.1:${address.port}`;
}

describe('registry client – operations', () => {
  let bed: TestBed;
  const clients: RegistryClient[] = [];
  const servers: Server[] = [];
  const client = (endpoint: RegistryEndpoint) => {
    const created = createRegistryClient(endpoint);
    clients.push(created);
    return created;
  };

  before(async () => {
    bed = await startTestBed({ temporal: false });
  });
  after(async () => {
    for (const created of clients) await created.close();
    for (const server of servers) server.close();
    await bed?.stop();
  });

  it('catalog and tags – every repository across several pages, every tag listed', async () => {
    const site = bed.sites[1];
    const repositories = ['paging/a', 'paging/b', 'paging/c', 'paging/d', 'paging/e'];
    for (const repository of repositories) {
      await pushImage({ registry: site }, repository, 't0', { layerSizes: [100] });
    }
    const tags = ['t0', 't1', 't2', 't3', 't4', 't5', 't6'];
    for (const tag of tags.slice(1))
      await pushImage({ registry: site }, 'paging/a', tag, { layerSizes: [100] });
    const registry = client({ url: site.url, credentials: site.credentials });
    const repositoryPages: string[][] = [];
    for await (const page of registry.listRepositories({ pageSize: 2 })) repositoryPages.push(page);
    assert.deepEqual(repositoryPages.flat(), repositories);
    assert.equal(repositoryPages.length, 3);
    // Distribution 2.8 ignores `n` on tags/list: every tag in one page.
    const tagPages: string[][] = [];
    for await (const page of registry.listTags('paging/a', { pageSize: 3 })) tagPages.push(page);
    assert.deepEqual(tagPages.flat().sort(), tags);
    const missing: string[][] = [];
    for await (const page of registry.listTags('paging/none')) missing.push(page);
    assert.deepEqual(missing, []);
  });

  it('HEAD – manifests and blobs asked one after another reuse one connection', async () => {
    const site = bed.sites[1];
    const image = await pushImage({ registry: site }, 'keep-alive/a', 't0', { layerSizes: [100] });
    const registry = client({ url: site.url, credentials: site.credentials });
    const port = new URL(site.url).port;
    let connections = 0;
    const count = (message: unknown) => {
      const { connectParams } = message as { connectParams: { host: string } };
      if (connectParams.host.endsWith(`:${port}`)) connections++;
    };
    diagnostics.subscribe('undici:client:connected', count);
    try {
      for (let round = 0; round < 10; round++) {
        assert.equal((await registry.headManifest('keep-alive/a', 't0'))?.digest, image.digest);
        assert.ok(await registry.headBlob('keep-alive/a', [...image.blobs.keys()][0]!));
      }
    } finally {
      diagnostics.unsubscribe('undici:client:connected', count);
    }
    // One, or two when the first HEAD also fetched a token (a request of its own, answered first).
    assert.ok(connections >= 1 && connections <= 2, `${connections} connections for 20 HEADs`);
  });

  it('HEAD – a registry that never answers fails it once its time is up, tries included', async () => {
    // Holds every request unanswered.
    const server = createServer(() => undefined);
    servers.push(server);
    const registry = client({ url: await listen(server) });
    const started = performance.now();
    await assert.rejects(registry.headManifest('slow/app', 'v1', { timeoutMs: 1_500 }), {
      code: 'REGISTRY_NETWORK',
      retryable: true,
    });
    const tookMs = performance.now() - started;
    assert.ok(tookMs >= 1_400 && tookMs < 4_000, `failed after ${Math.round(tookMs)} ms`);
    server.closeAllConnections();
  });

  it('HEAD – a stop ends the HEADs in flight and those waiting for a connection at once; none leaves a listener', async () => {
    let held = 0;
    const server = createServer((request, response) => {
      if (request.url?.includes('/fast/'))
        response.writeHead(200, { 'docker-content-digest': `sha256:${'e'.repeat(64)}` }).end();
      else held++;
    });
    servers.push(server);
    const registry = client({ url: await listen(server) });
    const stop = new AbortController();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const answered = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          registry.headManifest('fast/app', `v${index}`, { signal: stop.signal }),
        ),
      );
      assert.ok(answered.every((head) => head?.digest === `sha256:${'e'.repeat(64)}`));
      assert.equal(getEventListeners(stop.signal, 'abort').length, 0);
      // 40 HEADs: 16 on the registry's connections, the rest waiting for one.
      const heads = Array.from({ length: 40 }, (_, index) =>
        registry.headManifest('slow/app', `v${index}`, { signal: stop.signal }),
      );
      for (let waited = 0; held < 16 && waited < 100; waited++) await sleep(50);
      assert.equal(held, 16);
      const stoppedAt = performance.now();
      stop.abort(new Error('stopped'));
      const settled = await Promise.allSettled(heads);
      assert.ok(performance.now() - stoppedAt < 1_000, 'the HEADs ended within a second of the stop');
      assert.deepEqual(
        [
          ...new Set(
            settled.map((result) =>
              result.status === 'rejected' ? (result.reason as { code: string }).code : 'answered',
            ),
          ),
        ],
        ['ABORTED'],
      );
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(getEventListeners(stop.signal, 'abort').length, 0);
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
      server.closeAllConnections();
    }
  });

  it("tags – follows the spec's `n` + `Link` pages where a registry paginates tags", async () => {
    const tags = Array.from({ length: 7 }, (_, index) => `t${index}`);
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://registry');
      const n = Number(url.searchParams.get('n'));
      const last = url.searchParams.get('last');
      const start = last ? tags.indexOf(last) + 1 : 0;
      const page = tags.slice(start, start + n);
      const more = start + n < tags.length;
      response.writeHead(200, {
        'content-type': 'application/json',
        ...(more ? { link: `</v2/paging/a/tags/list?n=${n}&last=${page.at(-1)}>; rel="next"` } : {}),
      });
      response.end(JSON.stringify({ name: 'paging/a', tags: page }));
    });
    servers.push(server);
    const registry = client({ url: await listen(server) });
    const pages: string[][] = [];
    for await (const page of registry.listTags('paging/a', { pageSize: 3 })) pages.push(page);
    assert.deepEqual(pages, [tags.slice(0, 3), tags.slice(3, 6), tags.slice(6)]);
  });

  it('chunked upload – a 64 MiB blob survives a dropped connection mid-way and resumes', async () => {
    const site = bed.sites[0];
    const proxy = await startDroppingProxy({ host: '127.0.0.1', port: Number(new URL(site.url).port) });
    try {
      const block = randomBytes(1 << 20);
      const hash = createHash('sha256');
      for (let i = 0; i < 64; i++) hash.update(block);
      const digest = `sha256:${hash.digest('hex')}`;
      const blocks = function* () {
        for (let i = 0; i < 64; i++) yield block;
      };
      const registry = client({ url: proxy.url });
      // The 5th chunk of 8 MiB: the connection drops once the registry has its first 32 MiB.
      proxy.dropPatch(5, 0);
      const how = await registry.uploadBlob('big/blob', { digest, size: 64 << 20 }, Readable.from(blocks()), {
        chunkSize: 8 << 20,
      });
      assert.equal(how, 'uploaded');
      assert.equal(proxy.drops, 1);
      assert.deepEqual(await registry.headBlob('big/blob', digest), { size: 64 << 20 });
      const stored = await rawGetBlob({ registry: site }, 'big/blob', digest);
      assert.equal(`sha256:${createHash('sha256').update(stored.bytes).digest('hex')}`, digest);
    } finally {
      await proxy.stop();
    }
  });

  it('redirect – a blob redirected to another host is fetched and asked for without Authorization', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const blob = randomBytes(5000);
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const storage = createServer((request, response) => {
      seen.push(request.headers);
      response.writeHead(200, { 'content-length': String(blob.length) }).end(blob);
    });
    servers.push(storage);
    const storageUrl = await listen(storage);
    const registryServer = createServer((request, response) => {
      if (!request.headers.authorization) {
        response.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
        return;
      }
      response.writeHead(307, { location: `${storageUrl}/cdn/blob` }).end();
    });
    servers.push(registryServer);
    const registry = client({
      url: await listen(registryServer),
      credentials: { username: 'u', password: 'secret' },
    });
    const { stream } = await registry.getBlob('redirect/app', digest);
    const pieces: Buffer[] = [];
    for await (const piece of stream) pieces.push(piece as Buffer);
    assert.deepEqual(Buffer.concat(pieces), blob);
    assert.deepEqual(await registry.headBlob('redirect/app', digest), { size: blob.length });
    assert.equal(seen.length, 2);
    assert.deepEqual(
      seen.map((headers) => headers.authorization),
      [undefined, undefined],
    );
    assert.equal(registry.stats.blobBytesRead, blob.length);
  });

  it('429 – retried after the Retry-After the registry asked for; 4xx is not retried', async () => {
    let calls = 0;
    const server = createServer((request, response) => {
      calls++;
      if (request.url === '/v2/') {
        if (calls === 1) response.writeHead(429, { 'retry-after': '1' }).end();
        else response.writeHead(200).end('{}');
        return;
      }
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ code: 'TAG_INVALID', message: 'no' }] }));
    });
    servers.push(server);
    const registry = client({ url: await listen(server) });
    const started = Date.now();
    await registry.ping();
    assert.equal(calls, 2);
    assert.ok(Date.now() - started >= 950, `retried after ${Date.now() - started} ms`);
    await assert.rejects(registry.headManifest('retry/app', 'v1'), {
      code: 'REGISTRY_BAD_REQUEST',
      retryable: false,
    });
    assert.equal(calls, 3);
  });

  it('error body – a 200 MB error page is cut after 64 KiB: the ping fails fast and memory stays flat', async () => {
    const sent: Array<Promise<number>> = [];
    const server = createServer(
      (_, response) => void sent.push(sendHugeBody(response, 500, 200 * 1024 * 1024)),
    );
    servers.push(server);
    const registry = client({ url: await listen(server) });
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const started = Date.now();
    try {
      await assert.rejects(registry.ping(), { code: 'REGISTRY_SERVER_ERROR', retryable: true });
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - started) / 1000;
    const bytes = (await Promise.all(sent)).reduce((sum, each) => sum + each, 0);
    const grown = (peak - baseline) / 2 ** 20;
    process.stdout.write(
      `# error body: ${sent.length} attempts, ${(bytes / 2 ** 20).toFixed(1)} MiB sent of 800, ` +
        `${seconds.toFixed(2)} s, RSS +${grown.toFixed(1)} MiB\n`,
    );
    assert.equal(sent.length, 4, 'a 500 is tried 4 times');
    assert.ok(seconds < 10, `the ping took ${seconds} s`);
    assert.ok(grown < 100, `RSS grew by ${grown} MiB`);
    assert.ok(bytes < 64 * 2 ** 20, `the registry got to send ${bytes} bytes`);
  });

  it('index – duplicate children are read once; more children or bytes than Regatta reads are refused', async () => {
    const small = manifestSet(1001, 0);
    const large = manifestSet(100, 400_000);
    const gets = new Map<string, number>();
    const tops: Record<string, Buffer> = {
      duplicates: small.index(Array.from({ length: 500 }, () => 7)),
      'too-many': small.index(Array.from({ length: 1001 }, (_, index) => index)),
      'too-large': large.index(Array.from({ length: 100 }, (_, index) => index)),
    };
    const server = createServer((request, response) => {
      const reference = (request.url ?? '').split('/manifests/')[1];
      if (reference === undefined) return void response.writeHead(404).end();
      gets.set(reference, (gets.get(reference) ?? 0) + 1);
      const bytes = tops[reference] ?? small.byDigest.get(reference) ?? large.byDigest.get(reference);
      if (!bytes || request.method !== 'GET') return void response.writeHead(404).end();
      response.writeHead(200, {
        'content-type': reference in tops ? manifestMediaTypes.ociIndex : manifestMediaTypes.ociManifest,
      });
      response.end(bytes);
    });
    servers.push(server);
    const registry = client({ url: await listen(server) });
    const problems = async (tag: string) =>
      (await verifyArtifact(registry, 'limits/app', tag)).map((problem) => problem.code);

    // One child listed 500 times: fetched once (its config blob is then missing, as the stub has none).
    assert.deepEqual(await problems('duplicates'), ['REGISTRY_BLOB_UNKNOWN']);
    assert.equal(gets.get([...small.byDigest.keys()][7]!), 1, 'the child listed 500 times was fetched once');
    assert.equal(gets.size, 2, 'the index and its one child');

    gets.clear();
    assert.deepEqual(await problems('too-many'), ['REGISTRY_MANIFEST_LIMIT']);
    assert.deepEqual([...gets.keys()], ['too-many'], 'no child was fetched');

    gets.clear();
    assert.deepEqual(await problems('too-large'), ['REGISTRY_MANIFEST_LIMIT']);
    const fetched = gets.size - 1;
    assert.ok(fetched > 50 && fetched < 100, `fetched ${fetched} children before the byte bound`);
  });

  it('deep verification – a blob longer than its descriptor is not read to its end', async () => {
    const layer = {
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: `sha256:${'d'.repeat(64)}`,
      size: 10,
    };
    const image = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: manifestMediaTypes.ociManifest,
        config: layer,
        layers: [layer],
      }),
    );
    const sent: Array<Promise<number>> = [];
    const server = createServer((request, response) => {
      if (request.url?.includes('/manifests/')) {
        response.writeHead(200, { 'content-type': manifestMediaTypes.ociManifest }).end(image);
        return;
      }
      sent.push(sendHugeBody(response, 200, 200 * 1024 * 1024));
    });
    servers.push(server);
    const registry = client({ url: await listen(server) });
    const problems = await verifyArtifact(registry, 'long/blob', 'v1', { deep: true });
    assert.deepEqual(
      problems.map(({ code, message }) => [code, message]),
      [['DIGEST_MISMATCH', 'served more than 10 bytes']],
    );
    const bytes = (await Promise.all(sent)).reduce((sum, each) => sum + each, 0);
    assert.ok(bytes < 64 * 2 ** 20, `the registry got to send ${bytes} bytes`);
  });
});
