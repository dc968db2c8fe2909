import { createHash } from 'node:crypto';
import type { BlobWriterOptions } from './blob-writer.js';
import { DigestMismatchError } from './errors.js';
import type { RegistryClient } from './registry-client.js';

/** See RegistryClient.uploadBlob: HEAD, then mount when asked, else a verified upload. */
export async function uploadBlob(
  client: RegistryClient,
  repository: string,
  blob: { digest: string; size: number },
  source: Buffer | AsyncIterable<Uint8Array>,
  options: BlobWriterOptions & { mountFrom?: string },
): Promise<'present' | 'mounted' | 'uploaded'> {
  if (await client.headBlob(repository, blob.digest, options)) return 'present';
  const start = await client.startUpload(repository, {
    signal: options.signal,
    ...(options.mountFrom ? { mount: { digest: blob.digest, from: options.mountFrom } } : {}),
  });
  if (start.mounted) return 'mounted';
  const writer = client.blobWriter(repository, blob, start.location, options);
  const algorithm = blob.digest.split(':')[0]!;
  const hash = createHash(algorithm);
  try {
    for await (const piece of Buffer.isBuffer(source) ? [source] : source) {
      hash.update(piece);
      await writer.write(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
    }
    // The registry checks the digest on commit too; checking first lets nothing be committed.
    const actual = `${algorithm}:${hash.digest('hex')}`;
    if (actual !== blob.digest) {
      throw new DigestMismatchError(`content hashes to ${actual}, not ${blob.digest}`, {
        registry: client.registry,
        repository,
        digest: blob.digest,
      });
    }
    await writer.commit();
  } catch (error) {
    await writer.abort(error);
    throw error;
  }
  client.blobLocations.remember(blob.digest, repository);
  return 'uploaded';
}
