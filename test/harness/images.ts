import { randomBytes } from 'node:crypto';
import { rawPushBlob, rawPushManifest, sha256, type RawAccess } from './raw-client.js';

export const mediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export interface Platform {
  os: string;
  architecture: string;
}

export interface PushedImage {
  digest: string;
  mediaType: string;
  manifest: Buffer;
  /** Every blob the image references (config and layers), by digest. */
  blobs: Map<string, Buffer>;
  /** Child images of an index, in order. */
  children: PushedImage[];
}

export interface ImageSpec {
  layerSizes: number[];
  format?: 'oci' | 'docker';
  platform?: Platform;
  /** The config's `created` (ISO 8601), when the image should say when it was built. */
  created?: string;
}

/** Builds and pushes a single-platform image of random layers. `tag` undefined pushes it untagged. */
export async function pushImage(
  access: RawAccess,
  repository: string,
  tag: string | undefined,
  spec: ImageSpec,
): Promise<PushedImage> {
  const docker = spec.format === 'docker';
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const layers = spec.layerSizes.map((size) => randomBytes(size));
  const config = Buffer.from(
    JSON.stringify({
      architecture: platform.architecture,
      os: platform.os,
      ...(spec.created ? { created: spec.created } : {}),
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => sha256(layer)) },
    }),
  );
  const blobs = new Map<string, Buffer>();
  for (const blob of [config, ...layers]) {
    blobs.set(await rawPushBlob(access, repository, blob), blob);
  }
  const mediaType = docker ? mediaTypes.dockerManifest : mediaTypes.ociManifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: docker ? mediaTypes.dockerConfig : mediaTypes.ociConfig,
        digest: sha256(config),
        size: config.length,
      },
      layers: layers.map((layer) => ({
        mediaType: docker ? mediaTypes.dockerLayer : mediaTypes.ociLayer,
        digest: sha256(layer),
        size: layer.length,
      })),
    }),
  );
  const digest = sha256(manifest);
  await rawPushManifest(access, repository, tag ?? digest, mediaType, manifest);
  return { digest, mediaType, manifest, blobs, children: [] };
}

/** Pushes an amd64 + arm64 image and an index over them: an OCI index or a Docker manifest list. */
export async function pushMultiArchImage(
  access: RawAccess,
  repository: string,
  tag: string | undefined,
  options: { format: 'oci' | 'docker'; layerSizes: number[] },
): Promise<PushedImage> {
  const platforms: Platform[] = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ];
  const children: PushedImage[] = [];
  for (const platform of platforms) {
    children.push(
      await pushImage(access, repository, undefined, {
        layerSizes: options.layerSizes,
        format: options.format,
        platform,
      }),
    );
  }
  const mediaType = options.format === 'docker' ? mediaTypes.dockerList : mediaTypes.ociIndex;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: children.map((child, index) => ({
        mediaType: child.mediaType,
        digest: child.digest,
        size: child.manifest.length,
        platform: platforms[index],
      })),
    }),
  );
  const digest = sha256(manifest);
  await rawPushManifest(access, repository, tag ?? digest, mediaType, manifest);
  const blobs = new Map(children.flatMap((child) => [...child.blobs]));
  return { digest, mediaType, manifest, blobs, children };
}

/** Pushes an image built elsewhere to another registry byte for byte: its blobs, children and manifest. */
export async function pushImageCopy(
  access: RawAccess,
  repository: string,
  tag: string | undefined,
  image: PushedImage,
): Promise<void> {
  for (const bytes of image.blobs.values()) await rawPushBlob(access, repository, bytes);
  for (const child of image.children)
    await rawPushManifest(access, repository, child.digest, child.mediaType, child.manifest);
  await rawPushManifest(access, repository, tag ?? image.digest, image.mediaType, image.manifest);
}

/**
 * The manifest of `image` with an annotation naming `variant`: another digest over the same blobs,
 * so many tags each of their own digest cost a manifest PUT each and no blob.
 */
export function manifestVariant(image: PushedImage, variant: string): Buffer {
  const manifest = JSON.parse(image.manifest.toString('utf8')) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...manifest, annotations: { 'org.regatta.test.variant': variant } }));
}
