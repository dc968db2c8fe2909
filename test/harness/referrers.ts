import { randomBytes } from 'node:crypto';
import { rawGetManifest, rawPushBlob, rawPushManifest, sha256, type RawAccess } from './raw-client.js';
import { mediaTypes, type PushedImage } from './images.js';

export interface PushedReferrer {
  digest: string;
  manifest: Buffer;
  artifactType: string;
  /** Digest of the `sha256-<hex>` tag-schema index after this push. */
  indexDigest: string;
}

const emptyConfig = Buffer.from('{}');

/**
 * Pushes an artifact whose `subject` is `subject` (a signature or SBOM stand-in) and lists it in
 * the referrers tag-schema index, since Distribution 2.8 has no referrers API.
 */
export async function pushReferrer(
  access: RawAccess,
  repository: string,
  subject: Pick<PushedImage, 'digest' | 'mediaType' | 'manifest'>,
  artifactType = 'application/vnd.regatta.test.signature',
): Promise<PushedReferrer> {
  const payload = randomBytes(256);
  await rawPushBlob(access, repository, emptyConfig);
  await rawPushBlob(access, repository, payload);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      artifactType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(emptyConfig), size: 2 },
      layers: [{ mediaType: 'application/octet-stream', digest: sha256(payload), size: payload.length }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.manifest.length },
    }),
  );
  const digest = await rawPushManifest(
    access,
    repository,
    sha256(manifest),
    mediaTypes.ociManifest,
    manifest,
  );
  const tag = subject.digest.replace(':', '-');
  const existing = await rawGetManifest(access, repository, tag);
  const listed =
    existing.status === 200
      ? (JSON.parse(existing.bytes.toString()) as { manifests: unknown[] }).manifests
      : [];
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociIndex,
      manifests: [
        ...listed,
        { mediaType: mediaTypes.ociManifest, digest, size: manifest.length, artifactType },
      ],
    }),
  );
  const indexDigest = await rawPushManifest(access, repository, tag, mediaTypes.ociIndex, index);
  return { digest, manifest, artifactType, indexDigest };
}
