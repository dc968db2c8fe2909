import { createHash } from 'node:crypto';
import { InvalidInputError } from '../../errors/regatta-error.js';
import { ManifestLimitError } from '../errors.js';
import { manifestMediaTypes, platformMatches, type Descriptor, type Platform } from '../manifest.js';
import { referrersTag } from '../../oci/index.js';
import type { Manifest, RegistryClient } from '../registry-client.js';

/** A manifest to push, by digest, with the exact bytes to send. */
export interface ManifestNode {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

/** Referrers of one subject, and the source's tag-schema index for them when it had one. */
export interface ReferrerGroup {
  subject: string;
  descriptors: Descriptor[];
  sourceIndex?: ManifestNode | undefined;
}

export interface ArtifactTree {
  top: ManifestNode;
  sourceDigest: string;
  platformsFiltered: boolean;
  /** Manifests the top one references, in push order (deepest first). */
  children: ManifestNode[];
  /** Referrer manifests and their children, in push order, pushed after the top manifest. */
  referrerManifests: ManifestNode[];
  referrerGroups: ReferrerGroup[];
  /** Blobs of the image (config and layers), unique by digest. */
  imageBlobs: Descriptor[];
  /** Blobs only referrers need. */
  referrerBlobs: Descriptor[];
}

const maxDepth = 3;
/**
 * What one artifact's tree may hold, all told (its manifests, referrers and their children):
 * every manifest is held in memory until it is pushed, and each is a request to the source.
 */
export const treeLimits = { manifests: 1000, bytes: 32 * 1024 * 1024 };

interface Collected {
  manifests: ManifestNode[];
  blobs: Map<string, Descriptor>;
  digests: string[];
}

/** Manifests fetched for one tree so far; `fetch` refuses the one beyond `treeLimits`. */
class TreeReader {
  private manifests = 0;
  private bytes = 0;

  constructor(
    private readonly client: RegistryClient,
    private readonly repository: string,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async fetch(reference: string): Promise<Manifest> {
    const manifest = await this.client.getManifest(this.repository, reference, { signal: this.signal });
    this.manifests += 1;
    this.bytes += manifest.size;
    if (this.manifests > treeLimits.manifests || this.bytes > treeLimits.bytes) {
      throw new ManifestLimitError(
        `${this.repository}:${reference} makes the tree larger than Regatta reads ` +
          `(${treeLimits.manifests} manifests, ${treeLimits.bytes} bytes)`,
        { registry: this.client.registry, repository: this.repository },
      );
    }
    return manifest;
  }
}

async function collect(
  reader: TreeReader,
  manifest: Manifest,
  into: Collected,
  depth: number,
): Promise<void> {
  into.digests.push(manifest.digest);
  if (manifest.parsed.kind === 'image') {
    for (const blob of [manifest.parsed.config, ...manifest.parsed.layers]) into.blobs.set(blob.digest, blob);
    return;
  }
  if (depth >= maxDepth)
    throw new InvalidInputError('index nesting is deeper than Regatta follows', 'reference');
  for (const entry of manifest.parsed.manifests) {
    // An index may list a manifest twice (or share one with a nested index): read it once.
    if (into.digests.includes(entry.digest)) continue;
    const child = await reader.fetch(entry.digest);
    await collect(reader, child, into, depth + 1);
    into.manifests.push({ digest: child.digest, mediaType: child.mediaType, bytes: child.bytes });
  }
}

function filterIndex(manifest: Manifest, platforms: Platform[]): { node: ManifestNode; manifest: Manifest } {
  if (manifest.parsed.kind !== 'index') return { node: manifest, manifest };
  const kept = manifest.parsed.manifests.filter((entry) => platformMatches(entry.platform, platforms));
  if (kept.length === manifest.parsed.manifests.length) return { node: manifest, manifest };
  if (kept.length === 0)
    throw new InvalidInputError('no manifest in the index matches the platforms asked for', 'platforms');
  const document = JSON.parse(manifest.bytes.toString('utf8')) as Record<string, unknown>;
  const bytes = Buffer.from(JSON.stringify({ ...document, manifests: kept }));
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const parsed = { ...manifest.parsed, manifests: kept };
  return {
    node: { digest, mediaType: manifest.mediaType, bytes },
    manifest: { digest, mediaType: manifest.mediaType, size: bytes.length, bytes, parsed },
  };
}

/**
 * Reads what one copy moves from the source: the top manifest (or an index rewritten to the
 * chosen platforms), every manifest and blob under it, and, when asked, its referrers.
 */
export async function resolveArtifactTree(
  client: RegistryClient,
  repository: string,
  reference: string,
  options: {
    platforms?: Platform[] | undefined;
    referrers?: boolean | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<ArtifactTree> {
  const { signal } = options;
  const reader = new TreeReader(client, repository, signal);
  const source = await reader.fetch(reference);
  const { node: top, manifest } = options.platforms?.length
    ? filterIndex(source, options.platforms)
    : { node: source, manifest: source };
  const image: Collected = { manifests: [], blobs: new Map(), digests: [] };
  await collect(reader, manifest, image, 0);

  const referrers: Collected = { manifests: [], blobs: new Map(), digests: [] };
  const referrerGroups: ReferrerGroup[] = [];
  if (options.referrers) {
    // Referrers of the source index only make sense when the index is copied as is.
    let subjects = image.digests.filter((digest) => digest !== top.digest || top.digest === source.digest);
    const seen = new Set<string>();
    for (let round = 0; round < 2 && subjects.length > 0; round++) {
      const next: string[] = [];
      for (const subject of subjects) {
        const found = await client.referrers(repository, subject, { signal });
        if (found.descriptors.length === 0) continue;
        const group: ReferrerGroup = { subject, descriptors: found.descriptors };
        if (found.via === 'tag') {
          const index = await reader.fetch(referrersTag(subject));
          group.sourceIndex = { digest: index.digest, mediaType: index.mediaType, bytes: index.bytes };
        }
        referrerGroups.push(group);
        for (const descriptor of found.descriptors) {
          if (seen.has(descriptor.digest)) continue;
          seen.add(descriptor.digest);
          const referrer = await reader.fetch(descriptor.digest);
          await collect(reader, referrer, referrers, 1);
          referrers.manifests.push({
            digest: referrer.digest,
            mediaType: referrer.mediaType,
            bytes: referrer.bytes,
          });
          next.push(referrer.digest);
        }
      }
      subjects = next;
    }
  }
  return {
    top,
    sourceDigest: source.digest,
    platformsFiltered: top.digest !== source.digest,
    children: image.manifests,
    referrerManifests: referrers.manifests,
    referrerGroups,
    imageBlobs: [...image.blobs.values()],
    referrerBlobs: [...referrers.blobs.values()].filter((blob) => !image.blobs.has(blob.digest)),
  };
}

/** The referrers tag-schema index listing `descriptors`. */
export function referrersIndex(descriptors: Descriptor[]): ManifestNode {
  const bytes = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: manifestMediaTypes.ociIndex, manifests: descriptors }),
  );
  return {
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    mediaType: manifestMediaTypes.ociIndex,
    bytes,
  };
}
