import { createHash } from 'node:crypto';
import { errorCode } from '../errors/regatta-error.js';
import { resolveArtifactTree } from './copy/artifact-tree.js';
import { forEachBounded } from './copy/for-each-bounded.js';
import type { Descriptor } from './manifest.js';
import type { RegistryClient } from './registry-client.js';

/** Why a registry cannot serve an artifact: a manifest or blob it lacks, or one whose bytes are wrong. */
export interface ServabilityProblem {
  /** The manifest or blob at fault, when known. */
  digest?: string;
  /** The error's stable code: REGISTRY_MANIFEST_UNKNOWN, REGISTRY_BLOB_UNKNOWN, SIZE_MISMATCH, DIGEST_MISMATCH, ... */
  code: string;
  message: string;
}

export interface VerifyOptions {
  /** Download every blob and check its digest, not only that the registry says it has it. */
  deep?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

const blobsInFlight = 4;

async function checkBlob(
  client: RegistryClient,
  repository: string,
  blob: Descriptor,
  options: VerifyOptions,
): Promise<ServabilityProblem | undefined> {
  if (!options.deep) {
    const head = await client.headBlob(repository, blob.digest, { signal: options.signal });
    if (!head) return { digest: blob.digest, code: 'REGISTRY_BLOB_UNKNOWN', message: 'blob not found' };
    if (head.size !== blob.size)
      return {
        digest: blob.digest,
        code: 'SIZE_MISMATCH',
        message: `size ${head.size}, expected ${blob.size}`,
      };
    return undefined;
  }
  const { stream } = await client.getBlob(repository, blob.digest, { signal: options.signal });
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    // A blob longer than its descriptor is wrong already: stop reading rather than hash on.
    if (size > blob.size) break;
    hash.update(chunk);
  }
  if (size > blob.size)
    return { digest: blob.digest, code: 'DIGEST_MISMATCH', message: `served more than ${blob.size} bytes` };
  const digest = `sha256:${hash.digest('hex')}`;
  if (digest !== blob.digest || size !== blob.size)
    return {
      digest: blob.digest,
      code: 'DIGEST_MISMATCH',
      message: `served ${size} bytes hashing to ${digest}, expected ${blob.size} bytes`,
    };
  return undefined;
}

/**
 * Whether a registry can serve an artifact in full: every manifest under it fetched (and checked
 * against its digest), every blob found with the right size or, with `deep`, downloaded and
 * hashed. Returns the problems found; none means a pull would succeed.
 */
export async function verifyArtifact(
  client: RegistryClient,
  repository: string,
  reference: string,
  options: VerifyOptions = {},
): Promise<ServabilityProblem[]> {
  let blobs: Descriptor[];
  try {
    blobs = (await resolveArtifactTree(client, repository, reference, { signal: options.signal })).imageBlobs;
  } catch (error) {
    return [
      {
        code: errorCode(error) ?? 'UNKNOWN',
        message: error instanceof Error ? error.message : String(error),
      },
    ];
  }
  const problems: ServabilityProblem[] = [];
  await forEachBounded(blobs, blobsInFlight, async (blob) => {
    try {
      const problem = await checkBlob(client, repository, blob, options);
      if (problem) problems.push(problem);
    } catch (error) {
      problems.push({
        digest: blob.digest,
        code: errorCode(error) ?? 'UNKNOWN',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  });
  return problems;
}
