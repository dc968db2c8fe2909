import { z } from 'zod';
import { ManifestLimitError, UnsupportedManifestError } from './errors.js';
import { isDigest } from '../oci/index.js';

export const manifestMediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

const schema1MediaTypes = [
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
];

/**
 * Entries one index may list. A multi-platform image with its attestations lists tens; each
 * entry is a manifest to fetch, so a registry must not make a copy fetch without end.
 */
export const maxIndexEntries = 1000;

/** What Regatta asks for in `Accept` when it reads a manifest. */
export const acceptedManifestTypes = Object.values(manifestMediaTypes).join(', ');

const digest = z.string().refine(isDigest, 'not a valid sha256/sha512 digest');

export const Platform = z.object({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
});
export type Platform = z.infer<typeof Platform>;

export const Descriptor = z.looseObject({
  mediaType: z.string(),
  digest,
  size: z.number().int().nonnegative(),
  platform: Platform.optional(),
  artifactType: z.string().optional(),
});
export type Descriptor = z.infer<typeof Descriptor>;

const ImageManifestBody = z.looseObject({
  schemaVersion: z.literal(2),
  config: Descriptor,
  layers: z.array(Descriptor),
  subject: Descriptor.optional(),
});

const IndexBody = z.looseObject({
  schemaVersion: z.literal(2),
  manifests: z.array(Descriptor),
  subject: Descriptor.optional(),
});

export type ParsedManifest =
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[]; subject?: Descriptor }
  | { kind: 'index'; mediaType: string; manifests: Descriptor[]; subject?: Descriptor };

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === manifestMediaTypes.ociIndex || mediaType === manifestMediaTypes.dockerList;
}

function bareMediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/**
 * Reads manifest bytes as an image manifest or an index. The media type comes from the registry's
 * Content-Type, else from the document. Schema1 and unknown types are refused, since copying them
 * verbatim to a modern registry fails later in a less clear way.
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType: string | undefined,
  registry: string,
): ParsedManifest {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new UnsupportedManifestError('manifest is not JSON', { registry }, { cause });
  }
  const fields = (typeof document === 'object' && document !== null ? document : {}) as Record<
    string,
    unknown
  >;
  const declared = typeof fields.mediaType === 'string' ? fields.mediaType : undefined;
  let mediaType = bareMediaType(contentType);
  if (!mediaType || mediaType === 'application/json' || mediaType === 'application/octet-stream') {
    mediaType =
      declared ?? ('manifests' in fields ? manifestMediaTypes.ociIndex : manifestMediaTypes.ociManifest);
  }
  if (fields.schemaVersion === 1 || schema1MediaTypes.includes(mediaType)) {
    throw new UnsupportedManifestError(
      'Docker schema1 manifests are not supported; convert to schema2 or OCI',
      {
        registry,
      },
    );
  }
  if (isIndexMediaType(mediaType)) {
    const entries = Array.isArray(fields.manifests) ? fields.manifests.length : 0;
    if (entries > maxIndexEntries) {
      throw new ManifestLimitError(
        `index lists ${entries} manifests; Regatta reads at most ${maxIndexEntries}`,
        { registry },
      );
    }
    const index = IndexBody.safeParse(document);
    if (!index.success) throw invalid(mediaType, registry, index.error);
    return { kind: 'index', mediaType, manifests: index.data.manifests, subject: index.data.subject };
  }
  if (mediaType === manifestMediaTypes.ociManifest || mediaType === manifestMediaTypes.dockerManifest) {
    const image = ImageManifestBody.safeParse(document);
    if (!image.success) throw invalid(mediaType, registry, image.error);
    return {
      kind: 'image',
      mediaType,
      config: image.data.config,
      layers: image.data.layers,
      subject: image.data.subject,
    };
  }
  throw new UnsupportedManifestError(`unsupported manifest media type ${mediaType}`, { registry });
}

function invalid(mediaType: string, registry: string, error: z.ZodError): UnsupportedManifestError {
  const issue = error.issues[0];
  return new UnsupportedManifestError(
    `invalid ${mediaType}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    { registry },
  );
}

/** Whether a platform in an index matches one the caller asked for (variant only when asked). */
export function platformMatches(candidate: Platform | undefined, wanted: Platform[]): boolean {
  if (!candidate) return false;
  return wanted.some(
    (platform) =>
      platform.os === candidate.os &&
      platform.architecture === candidate.architecture &&
      (platform.variant === undefined || platform.variant === candidate.variant),
  );
}
