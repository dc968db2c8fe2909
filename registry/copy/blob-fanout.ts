import { createHash } from 'node:crypto';
import type { BlobWriter } from '../blob-writer.js';
import { AbortedError, DigestMismatchError } from '../errors.js';
import type { Descriptor } from '../manifest.js';
import type { RegistryClient } from '../registry-client.js';
import type { BandwidthLimiter } from './bandwidth-limiter.js';

export interface FanOutSink {
  writer: BlobWriter;
  /** Set when this sink's upload failed; the others carry on. */
  error?: unknown;
}

export interface FanOutOptions {
  limiter?: BandwidthLimiter | undefined;
  signal?: AbortSignal | undefined;
  onBytes?: (bytes: number) => void;
}

/**
 * Reads one blob from the source once and streams it to every sink at the same time.
 *
 * Each piece is hashed, then handed to all sinks; the next piece is read only once every sink
 * took this one, so the slowest target sets the pace and memory holds one piece per blob (plus a
 * chunk per chunked sink), whatever the blob size. The last piece is held back until the digest
 * and size are verified: on a mismatch no sink ever receives the whole blob, every upload is
 * aborted, and nothing is committed. A sink that fails is dropped; the others continue.
 */
export async function fanOutBlob(
  source: { client: RegistryClient; repository: string },
  blob: Descriptor,
  sinks: FanOutSink[],
  options: FanOutOptions = {},
): Promise<void> {
  const { signal } = options;
  const context = { registry: source.client.registry, repository: source.repository, digest: blob.digest };
  const algorithm = blob.digest.split(':')[0]!;
  const hash = createHash(algorithm);
  const alive = new Set(sinks);
  const fail = (sink: FanOutSink, error: unknown) => {
    if (!alive.delete(sink)) return;
    sink.error = error;
    void sink.writer.abort(error);
  };
  const verify = () => {
    const actual = `${algorithm}:${hash.digest('hex')}`;
    if (actual !== blob.digest) {
      throw new DigestMismatchError(`source blob hashes to ${actual}, not ${blob.digest}`, context);
    }
  };
  let stream: NodeJS.ReadableStream | undefined;
  try {
    const response = await source.client.getBlob(source.repository, blob.digest, { signal });
    stream = response.stream;
    let read = 0;
    for await (const chunk of response.stream) {
      const piece = chunk as Buffer;
      read += piece.length;
      if (read > blob.size)
        throw new DigestMismatchError(`source blob is longer than ${blob.size} bytes`, context);
      hash.update(piece);
      if (read === blob.size) verify();
      await options.limiter?.take(piece.length, signal);
      await Promise.all(
        [...alive].map((sink) => sink.writer.write(piece).catch((error: unknown) => fail(sink, error))),
      );
      options.onBytes?.(piece.length);
      if (alive.size === 0) return;
    }
    if (read !== blob.size)
      throw new DigestMismatchError(`source blob has ${read} of ${blob.size} bytes`, context);
    if (blob.size === 0) verify();
    await Promise.all(
      [...alive].map((sink) => sink.writer.commit().catch((error: unknown) => fail(sink, error))),
    );
  } catch (error) {
    const reason = signal?.aborted ? new AbortedError('copy aborted', { cause: error }) : error;
    for (const sink of [...alive]) fail(sink, reason);
  } finally {
    (stream as { destroy?: () => void } | undefined)?.destroy?.();
  }
}
