import { createHash } from 'node:crypto';
import { DigestMismatchError } from './errors.js';
import type { CallOptions, RegistryClient } from './registry-client.js';

/** An image config is a few kilobytes; a larger one is not read for its date. */
const maxConfigBytes = 1024 * 1024;

/**
 * When the image a tag or digest names was created: its config's `created` (ISO 8601). For an
 * index, its first image's (attestations, listed with platform `unknown`, are skipped).
 * Undefined when the artifact does not say: not an image, no `created`, a config too large. The
 * config's bytes are checked against their digest before they are believed.
 */
export async function imageCreated(
  client: RegistryClient,
  repository: string,
  reference: string,
  options: CallOptions = {},
): Promise<string | undefined> {
  let manifest = await client.getManifest(repository, reference, options);
  if (manifest.parsed.kind === 'index') {
    const image = manifest.parsed.manifests.find((entry) => entry.platform?.os !== 'unknown');
    if (!image) return undefined;
    manifest = await client.getManifest(repository, image.digest, options);
  }
  if (manifest.parsed.kind !== 'image') return undefined;
  const config = manifest.parsed.config;
  if (config.size > maxConfigBytes) return undefined;
  const { stream } = await client.getBlob(repository, config.digest, options);
  const pieces: Buffer[] = [];
  let size = 0;
  for await (const piece of stream as AsyncIterable<Buffer>) {
    size += piece.length;
    if (size > config.size) {
      stream.destroy();
      break;
    }
    pieces.push(piece);
  }
  const bytes = Buffer.concat(pieces);
  const algorithm = config.digest.split(':')[0]!;
  const digest = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
  if (digest !== config.digest || size !== config.size) {
    throw new DigestMismatchError(
      `config ${config.digest} of ${repository}:${reference} hashes to ${digest}`,
      {
        registry: client.registry,
        repository,
        digest: config.digest,
      },
    );
  }
  let created: unknown;
  try {
    created = (JSON.parse(bytes.toString('utf8')) as { created?: unknown }).created;
  } catch {
    return undefined;
  }
  if (typeof created !== 'string' || !Number.isFinite(Date.parse(created))) return undefined;
  return new Date(created).toISOString();
}
