import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  BlobPlacements,
  copyArtifact,
  createRegistryClient,
  type RegistryClient,
} from '../../registry/index.js';
import { pushImage, pushMultiArchImage, type PushedImage } from '../harness/images.js';
import { rawGetBlob, rawGetManifest, rawPushManifest } from '../harness/raw-client.js';
import { pushReferrer } from '../harness/referrers.js';
import type { RegistryServer } from '../harness/registry-server.js';
import { skopeoPull } from '../harness/skopeo-pull.js';
import {
  startTamperingProxy,
  type Answer,
  type Exchange,
  type Tamper,
  type TamperingProxy,
} from '../harness/tampering-proxy.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

function clientFor(registry: RegistryServer): RegistryClient {
  return createRegistryClient({
    url: registry.url,
    credentials: registry.credentials,
    caPem: registry.caPem,
  });
}

function uniqueBlobBytes(image: PushedImage): number {
  return [...image.blobs.values()].reduce((sum, blob) => sum + blob.length, 0);
}

describe('copyArtifact', () => {
  let bed: TestBed;
  const clients: RegistryClient[] = [];
  const fresh = (registry: RegistryServer) => {
    const client = clientFor(registry);
    clients.push(client);
    return client;
  };
  const siteTargets = (repository: string) =>
    bed.sites.map((site) => ({ id: site.name, client: fresh(site), repository }));

  before(async () => {
    bed = await startTestBed({ temporal: false });
  });
  after(async () => {
    for (const client of clients) await client.close();
    await bed?.stop();
  });

  const shapes = [
    [
      'single-arch OCI image',
      (repo: string) => pushImage({ registry: bed.hq }, repo, 'v1', { layerSizes: [4096, 70_000] }),
    ],
    [
      'OCI index',
      (repo: string) =>
        pushMultiArchImage({ registry: bed.hq }, repo, 'v1', { format: 'oci', layerSizes: [3000, 50_000] }),
    ],
    [
      'Docker manifest list',
      (repo: string) =>
        pushMultiArchImage({ registry: bed.hq }, repo, 'v1', {
          format: 'docker',
          layerSizes: [2000, 40_000],
        }),
    ],
  ] as const;

  for (const [name, push] of shapes) {
    it(`${name} – copied to three sites with the source digest, reading each blob once`, async () => {
      const repository = `shapes/${name.toLowerCase().replace(/[^a-z]+/g, '-')}`;
      const image = await push(repository);
      const source = fresh(bed.hq);
      const result = await copyArtifact({
        source: { client: source, repository, reference: 'v1' },
        targets: siteTargets(repository),
      });
      assert.equal(result.digest, image.digest);
      assert.equal(result.platformsFiltered, false);
      assert.equal(source.stats.blobBytesRead, uniqueBlobBytes(image));
      for (const target of result.targets) {
        assert.equal(target.status, 'copied', JSON.stringify(target.error));
        assert.equal(target.digest, image.digest);
        assert.equal(target.blobsUploaded, image.blobs.size);
      }
      const pulled = await Promise.all(
        [bed.hq, ...bed.sites].map((registry) => skopeoPull(registry, repository, 'v1', bed.dir)),
      );
      for (const files of pulled.slice(1)) assert.deepEqual(files, pulled[0]);
      assert.ok(pulled[0]!.size >= image.blobs.size + 1);
    });
  }

  it('second copy – uploads nothing; a new repository on the same site mounts', async () => {
    const image = await pushImage({ registry: bed.hq }, 'again/app', 'v1', { layerSizes: [5000, 6000] });
    const source = fresh(bed.hq);
    const targets = siteTargets('again/app');
    await copyArtifact({ source: { client: source, repository: 'again/app', reference: 'v1' }, targets });
    const read = source.stats.blobBytesRead;
    const second = await copyArtifact({
      source: { client: source, repository: 'again/app', reference: 'v1' },
      targets,
    });
    assert.equal(source.stats.blobBytesRead, read);
    for (const target of second.targets) {
      assert.equal(target.status, 'skipped');
      assert.equal(target.bytesUploaded, 0);
      assert.equal(target.blobsUploaded, 0);
    }
    const elsewhere = targets.map((target) => ({ ...target, repository: 'mirror/app' }));
    const third = await copyArtifact({
      source: { client: source, repository: 'again/app', reference: 'v1' },
      targets: elsewhere,
    });
    assert.equal(source.stats.blobBytesRead, read);
    for (const target of third.targets) {
      assert.equal(target.status, 'copied');
      assert.equal(target.blobsMounted, image.blobs.size);
      assert.equal(target.blobsUploaded, 0);
    }
    const pulled = await rawGetManifest({ registry: bed.sites[1] }, 'mirror/app', 'v1');
    assert.equal(pulled.digest, image.digest);
  });

  it('many tags of one image copied at once – each blob read from the source once, every tag set', async () => {
    const image = await pushImage({ registry: bed.hq }, 'tags/app', 't0', { layerSizes: [60_000, 90_000] });
    const tags = Array.from({ length: 12 }, (_, index) => `t${index}`);
    for (const tag of tags.slice(1))
      await rawPushManifest({ registry: bed.hq }, 'tags/app', tag, image.mediaType, image.manifest);
    const source = fresh(bed.hq);
    // As a worker copies a batch: its copies at once, sharing the batch's state and the worker's placements.
    const shared = { sourceDigests: new Map(), trees: new Map(), presentBlobs: new Set<string>() };
    const placements = new BlobPlacements();
    const targets = siteTargets('tags/app');
    const results = await Promise.all(
      tags.map((tag) =>
        copyArtifact({
          source: { client: source, repository: 'tags/app', reference: tag },
          targets,
          shared,
          placements,
        }),
      ),
    );
    assert.equal(source.stats.blobBytesRead, uniqueBlobBytes(image));
    assert.equal(placements.size, 0, 'no claim outlives its copy');
    for (const result of results)
      for (const target of result.targets)
        assert.equal(target.status, 'copied', JSON.stringify(target.error));
    const uploads = results.flatMap((result) => result.targets).reduce((sum, t) => sum + t.blobsUploaded, 0);
    assert.equal(uploads, image.blobs.size * bed.sites.length);
    for (const site of bed.sites)
      for (const tag of tags)
        assert.equal((await rawGetManifest({ registry: site }, 'tags/app', tag)).digest, image.digest);
  });

  it('override – a tag at another digest is kept and reported unless override is set', async () => {
    await pushImage({ registry: bed.hq }, 'tags/app', 'v1', { layerSizes: [1000] });
    const other = await pushImage({ registry: bed.sites[0] }, 'tags/app', 'v1', { layerSizes: [1000] });
    const source = fresh(bed.hq);
    const target = { id: 'plain', client: fresh(bed.sites[0]), repository: 'tags/app' };
    const kept = await copyArtifact({
      source: { client: source, repository: 'tags/app', reference: 'v1' },
      targets: [target],
    });
    assert.equal(kept.targets[0]!.status, 'conflict');
    assert.equal(kept.targets[0]!.digest, other.digest);
    assert.equal((await rawGetManifest({ registry: bed.sites[0] }, 'tags/app', 'v1')).digest, other.digest);
    const replaced = await copyArtifact({
      source: { client: source, repository: 'tags/app', reference: 'v1' },
      targets: [target],
      override: true,
    });
    assert.equal(replaced.targets[0]!.status, 'copied');
    assert.equal(
      (await rawGetManifest({ registry: bed.sites[0] }, 'tags/app', 'v1')).digest,
      replaced.digest,
    );
  });

  it('corrupted source blob – caught in flight; no target gets the blob or the manifest', async () => {
    const image = await pushImage({ registry: bed.hq }, 'corrupt/app', 'v1', { layerSizes: [2048, 100_000] });
    const [digest] = [...image.blobs.keys()].filter((key) => image.blobs.get(key)!.length === 100_000);
    const hex = digest!.slice('sha256:'.length);
    const file = join(bed.hq.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const bytes = readFileSync(file);
    bytes[50_000] = bytes[50_000]! ^ 0xff;
    writeFileSync(file, bytes);
    const result = await copyArtifact({
      source: { client: fresh(bed.hq), repository: 'corrupt/app', reference: 'v1' },
      targets: siteTargets('corrupt/app'),
    });
    for (const [index, target] of result.targets.entries()) {
      assert.equal(target.status, 'failed');
      assert.equal(target.error?.code, 'DIGEST_MISMATCH');
      assert.equal(target.error?.retryable, false);
      const site = bed.sites[index]!;
      assert.equal((await rawGetManifest({ registry: site }, 'corrupt/app', 'v1')).status, 404);
      assert.equal((await rawGetBlob({ registry: site }, 'corrupt/app', digest!)).status, 404);
    }
  });

  it('platform filter – a rewritten index with only the chosen platform; all platforms keep the original', async () => {
    const index = await pushMultiArchImage({ registry: bed.hq }, 'platforms/app', 'v1', {
      format: 'oci',
      layerSizes: [1500],
    });
    const source = fresh(bed.hq);
    const arm = await copyArtifact({
      source: { client: source, repository: 'platforms/app', reference: 'v1' },
      targets: [{ id: 'plain', client: fresh(bed.sites[0]), repository: 'platforms/arm' }],
      platforms: [{ os: 'linux', architecture: 'arm64' }],
    });
    assert.equal(arm.platformsFiltered, true);
    assert.equal(arm.sourceDigest, index.digest);
    assert.notEqual(arm.digest, index.digest);
    const copied = await rawGetManifest({ registry: bed.sites[0] }, 'platforms/arm', 'v1');
    assert.equal(copied.digest, arm.digest);
    const manifests = (JSON.parse(copied.bytes.toString()) as { manifests: Array<{ digest: string }> })
      .manifests;
    assert.deepEqual(
      manifests.map((entry) => entry.digest),
      [index.children[1]!.digest],
    );
    assert.equal(
      (await rawGetManifest({ registry: bed.sites[0] }, 'platforms/arm', index.children[0]!.digest)).status,
      404,
    );
    const all = await copyArtifact({
      source: { client: source, repository: 'platforms/app', reference: 'v1' },
      targets: [{ id: 'plain', client: fresh(bed.sites[0]), repository: 'platforms/all' }],
      platforms: [
        { os: 'linux', architecture: 'arm64' },
        { os: 'linux', architecture: 'amd64' },
      ],
    });
    assert.equal(all.platformsFiltered, false);
    assert.equal(all.digest, index.digest);
  });

  it('referrers – an artifact whose subject is the image is copied with it', async () => {
    const image = await pushImage({ registry: bed.hq }, 'signed/app', 'v1', { layerSizes: [3000] });
    const signature = await pushReferrer({ registry: bed.hq }, 'signed/app', image);
    const result = await copyArtifact({
      source: { client: fresh(bed.hq), repository: 'signed/app', reference: 'v1' },
      targets: siteTargets('signed/app'),
      referrers: true,
    });
    for (const [index, target] of result.targets.entries()) {
      assert.equal(target.status, 'copied', JSON.stringify(target.error));
      const site = bed.sites[index]!;
      assert.equal((await rawGetManifest({ registry: site }, 'signed/app', signature.digest)).status, 200);
      const referrers = await fresh(site).referrers('signed/app', image.digest);
      assert.deepEqual(
        referrers.descriptors.map((descriptor) => descriptor.digest),
        [signature.digest],
      );
      const tagIndex = await rawGetManifest({ registry: site }, 'signed/app', image.digest.replace(':', '-'));
      assert.equal(tagIndex.digest, signature.indexDigest);
    }
  });

  it('abort – stops promptly once aborted mid-copy and leaves no manifest at the target', async () => {
    await pushImage({ registry: bed.hq }, 'abort/app', 'v1', { layerSizes: [4 << 20, 4 << 20, 4 << 20] });
    const controller = new AbortController();
    let moved = 0;
    let abortedAt = 0;
    const started = copyArtifact({
      source: { client: fresh(bed.hq), repository: 'abort/app', reference: 'v1' },
      targets: siteTargets('abort/app'),
      // 12 MiB at 512 KiB/s: left alone the copy takes 24 s.
      bytesPerSecond: 512 << 10,
      signal: controller.signal,
      onProgress: (progress) => {
        moved = progress.bytesDone;
        if (moved > 0 && !controller.signal.aborted) {
          abortedAt = Date.now();
          controller.abort();
        }
      },
    });
    await assert.rejects(started, (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ABORTED');
      return true;
    });
    // Aborting ends every request at once; the margin is for a loaded machine, far below 24 s.
    const elapsed = Date.now() - abortedAt;
    assert.ok(moved > 0 && elapsed < 5_000, `took ${elapsed} ms after ${moved} bytes`);
    for (const site of bed.sites) {
      assert.equal((await rawGetManifest({ registry: site }, 'abort/app', 'v1')).status, 404);
    }
  });

  describe('digest checks – bad bytes from a registry that lies; nothing of them committed at a site', () => {
    // A check that fails open may leave a copy hanging on a body of the wrong length: bounded.
    const bounded = { timeout: 60_000 };
    const sourceVia = (proxy: TamperingProxy) =>
      fresh({ ...bed.hq, url: proxy.url, caPem: undefined } as RegistryServer);
    const layerOf = (image: PushedImage, size: number) =>
      [...image.blobs].find(([, bytes]) => bytes.length === size)![0];
    /** Serves the registry's answer, changed by `change` for the requests `pick` selects; counts them. */
    const changing = (pick: (exchange: Exchange) => boolean, change: (answer: Answer) => Answer) => {
      const hits = { count: 0 };
      const tamper: Tamper = async (exchange, forward) => {
        const answer = await forward();
        if (!pick(exchange)) return answer;
        hits.count++;
        return change(answer);
      };
      return { hits, tamper };
    };
    const expectFailed = (result: Awaited<ReturnType<typeof copyArtifact>>, message: RegExp) => {
      for (const target of result.targets) {
        assert.equal(target.status, 'failed');
        assert.equal(target.error?.code, 'DIGEST_MISMATCH');
        assert.equal(target.error?.retryable, false);
        assert.match(target.error!.message, message);
      }
    };
    const assertNothingAt = async (sites: RegistryServer[], repository: string, digests: string[]) => {
      for (const site of sites) {
        assert.equal((await rawGetManifest({ registry: site }, repository, 'v1')).status, 404, site.name);
        for (const digest of digests) {
          assert.equal((await rawGetManifest({ registry: site }, repository, digest)).status, 404, digest);
          assert.equal((await rawGetBlob({ registry: site }, repository, digest)).status, 404, digest);
        }
      }
    };

    it(
      'manifest hash mismatch – a child manifest whose bytes are not its digest stops the copy',
      bounded,
      async () => {
        const index = await pushMultiArchImage({ registry: bed.hq }, 'lies/manifest', 'v1', {
          format: 'oci',
          layerSizes: [1000],
        });
        const child = index.children[1]!.digest;
        const { hits, tamper } = changing(
          (exchange) => exchange.method === 'GET' && exchange.url.endsWith(`/manifests/${child}`),
          (answer) => ({ ...answer, body: Buffer.concat([answer.body, Buffer.from('\n')]) }),
        );
        const proxy = await startTamperingProxy(bed.hq, tamper);
        try {
          await assert.rejects(
            copyArtifact({
              source: { client: sourceVia(proxy), repository: 'lies/manifest', reference: 'v1' },
              targets: siteTargets('lies/manifest'),
            }),
            (error: Error & { code?: string }) => {
              assert.equal(error.code, 'DIGEST_MISMATCH');
              assert.match(error.message, new RegExp(`manifest lies/manifest@${child} hashes to`));
              return true;
            },
          );
          assert.ok(hits.count > 0, 'the proxy served the bad manifest');
          await assertNothingAt(bed.sites, 'lies/manifest', [child, ...index.blobs.keys()]);
        } finally {
          await proxy.stop();
        }
      },
    );

    for (const [name, change, message] of [
      ['short blob', (body: Buffer) => body.subarray(0, 40_000), /source blob has 40000 of 50000 bytes/],
      [
        'long blob',
        (body: Buffer) => Buffer.concat([body, Buffer.alloc(10)]),
        /source blob is longer than 50000 bytes/,
      ],
    ] as const) {
      it(
        `${name} – a source blob of the wrong length is caught; no site gets it or the manifest`,
        bounded,
        async () => {
          const repository = `lies/${name.replace(' ', '-')}`;
          const image = await pushImage({ registry: bed.hq }, repository, 'v1', { layerSizes: [50_000] });
          const layer = layerOf(image, 50_000);
          const { hits, tamper } = changing(
            (exchange) => exchange.method === 'GET' && exchange.url.endsWith(`/blobs/${layer}`),
            (answer) => ({ ...answer, body: change(answer.body) }),
          );
          const proxy = await startTamperingProxy(bed.hq, tamper);
          try {
            const result = await copyArtifact({
              source: { client: sourceVia(proxy), repository, reference: 'v1' },
              targets: siteTargets(repository),
            });
            assert.equal(hits.count, 1, 'the blob was read once, badly');
            expectFailed(result, message);
            await assertNothingAt(bed.sites, repository, [image.digest, layer]);
          } finally {
            await proxy.stop();
          }
        },
      );
    }

    /** A site that answers `pick`ed requests itself, 201 with another digest, storing nothing. */
    const lyingSite = (pick: (exchange: Exchange) => boolean) => {
      const hits = { count: 0 };
      const other = `sha256:${'e'.repeat(64)}`;
      const tamper: Tamper = async (exchange, forward) => {
        if (!pick(exchange)) return forward();
        hits.count++;
        return { status: 201, headers: { 'docker-content-digest': other }, body: Buffer.alloc(0) };
      };
      return { hits, tamper };
    };

    const lies = [
      {
        name: 'mismatch reported on upload – a site that says it stored another blob gets no manifest',
        size: 20_000,
        pick: (layer: string) => (exchange: Exchange) =>
          exchange.method === 'PUT' &&
          exchange.url.includes('/blobs/uploads/') &&
          exchange.url.includes(encodeURIComponent(layer)),
        message: (_digest: string, layer: string) =>
          new RegExp(`registry stored sha256:e{64} for blob ${layer}`),
        /** The blob's commit is the lie: it never reached the site. */
        layerStored: false,
      },
      {
        name: 'stored-manifest mismatch – a site that says it stored another manifest fails the copy',
        size: 3000,
        pick: (_layer: string, repository: string) => (exchange: Exchange) =>
          exchange.method === 'PUT' && exchange.url === `/v2/${repository}/manifests/v1`,
        message: (digest: string) => new RegExp(`registry stored manifest sha256:e{64}, expected ${digest}`),
        layerStored: true,
      },
    ];
    for (const { name, size, pick, message, layerStored } of lies) {
      it(name, bounded, async () => {
        const repository = `lies/site-${size}`;
        const image = await pushImage({ registry: bed.hq }, repository, 'v1', { layerSizes: [size] });
        const layer = layerOf(image, size);
        const { hits, tamper } = lyingSite(pick(layer, repository));
        const site = bed.sites[0];
        const proxy = await startTamperingProxy(site, tamper);
        try {
          const result = await copyArtifact({
            source: { client: fresh(bed.hq), repository, reference: 'v1' },
            targets: [{ id: 'lying', client: fresh({ ...site, url: proxy.url }), repository }],
          });
          assert.equal(hits.count, 1);
          expectFailed(result, message(image.digest, layer));
          await assertNothingAt([site], repository, [image.digest, ...(layerStored ? [] : [layer])]);
        } finally {
          await proxy.stop();
        }
      });
    }
  });
});
