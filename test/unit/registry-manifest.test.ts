import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manifestMediaTypes, parseManifest, platformMatches } from '../../registry/index.js';

const digest = `sha256:${'c'.repeat(64)}`;
const descriptor = { mediaType: 'application/octet-stream', digest, size: 3 };
const bytes = (document: unknown) => Buffer.from(JSON.stringify(document));

describe('parseManifest', () => {
  const accepted: Array<[string, unknown, string | undefined, string, 'image' | 'index']> = [
    [
      'OCI manifest by Content-Type',
      { schemaVersion: 2, config: descriptor, layers: [descriptor] },
      manifestMediaTypes.ociManifest,
      manifestMediaTypes.ociManifest,
      'image',
    ],
    [
      'Docker schema2 by its mediaType field',
      { schemaVersion: 2, mediaType: manifestMediaTypes.dockerManifest, config: descriptor, layers: [] },
      'application/json',
      manifestMediaTypes.dockerManifest,
      'image',
    ],
    [
      'Docker manifest list',
      { schemaVersion: 2, mediaType: manifestMediaTypes.dockerList, manifests: [descriptor] },
      manifestMediaTypes.dockerList,
      manifestMediaTypes.dockerList,
      'index',
    ],
    [
      'OCI index without any media type',
      { schemaVersion: 2, manifests: [] },
      undefined,
      manifestMediaTypes.ociIndex,
      'index',
    ],
    [
      'Content-Type with parameters',
      { schemaVersion: 2, manifests: [] },
      `${manifestMediaTypes.ociIndex}; charset=utf-8`,
      manifestMediaTypes.ociIndex,
      'index',
    ],
  ];
  for (const [name, document, contentType, mediaType, kind] of accepted) {
    it(`${name} – ${kind}`, () => {
      const parsed = parseManifest(bytes(document), contentType, 'r');
      assert.equal(parsed.kind, kind);
      assert.equal(parsed.mediaType, mediaType);
    });
  }

  const refused: Array<[string, Buffer, string | undefined]> = [
    ['schema1 by version', bytes({ schemaVersion: 1, name: 'a', fsLayers: [] }), undefined],
    [
      'schema1 signed media type',
      bytes({ schemaVersion: 1 }),
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
    ],
    ['unknown media type', bytes({ schemaVersion: 2 }), 'application/vnd.example+json'],
    [
      'layer with a bad digest',
      bytes({ schemaVersion: 2, config: descriptor, layers: [{ ...descriptor, digest: 'sha256:zz' }] }),
      manifestMediaTypes.ociManifest,
    ],
    ['not JSON', Buffer.from('<html>'), manifestMediaTypes.ociManifest],
  ];
  for (const [name, body, contentType] of refused) {
    it(`${name} – REGISTRY_MANIFEST_UNSUPPORTED`, () => {
      assert.throws(() => parseManifest(body, contentType, 'r'), {
        code: 'REGISTRY_MANIFEST_UNSUPPORTED',
        retryable: false,
      });
    });
  }
});

describe('parseManifest – index size', () => {
  const index = (entries: number) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: manifestMediaTypes.ociIndex,
        manifests: Array.from({ length: entries }, () => ({
          ...descriptor,
          mediaType: manifestMediaTypes.ociManifest,
        })),
      }),
    );

  it('1,000 entries – read', () => {
    const parsed = parseManifest(index(1000), manifestMediaTypes.ociIndex, 'r');
    assert.equal(parsed.kind === 'index' && parsed.manifests.length, 1000);
  });

  it('100,000 entries – REGISTRY_MANIFEST_LIMIT, before any is looked at', () => {
    assert.throws(() => parseManifest(index(100_000), manifestMediaTypes.ociIndex, 'r'), {
      code: 'REGISTRY_MANIFEST_LIMIT',
      retryable: false,
      message: /index lists 100000 manifests; Regatta reads at most 1000/,
    });
  });
});

describe('platformMatches', () => {
  const amd64 = { os: 'linux', architecture: 'amd64' };
  const armV7 = { os: 'linux', architecture: 'arm', variant: 'v7' };
  const cases: Array<
    [string, typeof armV7 | typeof amd64 | undefined, Array<typeof armV7 | typeof amd64>, boolean]
  > = [
    ['same os and architecture', amd64, [amd64], true],
    ['variant not asked for', armV7, [{ os: 'linux', architecture: 'arm' }], true],
    ['other variant asked for', armV7, [{ os: 'linux', architecture: 'arm', variant: 'v6' }], false],
    ['other architecture', amd64, [armV7], false],
    ['entry without platform', undefined, [amd64], false],
  ];
  for (const [name, candidate, wanted, expected] of cases) {
    it(`${name} – ${expected}`, () => assert.equal(platformMatches(candidate, wanted), expected));
  }
});
