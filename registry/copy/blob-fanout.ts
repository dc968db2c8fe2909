import { createHash, type Hash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, DigestMismatchError } from '../errors.js';
import type { Descriptor } from '../manifest.js';
import type { RegistryClient } from '../registry-client.js';
import type { BandwidthLimiter } from './bandwidth-limiter.js';
import { keepsSession, SinkLane, type FanOutSink } from './sink-lane.js';
import type { StallWatch } from './stall-watch.js';

export type { BlobSink, FanOutSink } from './sink-lane.js';

export interface FanOutOptions {
  limiter?: BandwidthLimiter | undefined;
  signal?: AbortSignal | undefined;
  onBytes?: (bytes: number) => void;
  /** Armed while the source is awaited; the copy's stall watch of the source. */
  sourceWatch?: StallWatch | undefined;
  /** Bytes a sink may be behind the reader (default 2 MiB). */
  lagBytes?: number;
  /** How long a sink may hold the others back before it finishes alone (default 5 s). */
  detachAfterMs?: number;
}

type BlobSource = { client: RegistryClient; repository: string };

const defaultLagBytes = 2 * 1024 * 1024;
const defaultDetachAfterMs = 5_000;
/** How often a reader held back by a full sink looks again at who holds whom. */
const holdTickMs = 250;

/**
 * The blob's bytes from `from` on, hashed on the way. The piece that completes the blob comes
 * only once the digest and size are verified, so no sink ever receives a whole blob that is not
 * the one named; the caller's writers commit only after that.
 */
async function* verifiedPieces(
  stream: AsyncIterable<unknown>,
  blob: Descriptor,
  hash: Hash,
  from: number,
  context: { registry: string; repository: string; digest: string },
): AsyncGenerator<Buffer> {
  const algorithm = blob.digest.split(':')[0]!;
  const verify = () => {
    const actual = `${algorithm}:${hash.digest('hex')}`;
    if (actual !== blob.digest)
      throw new DigestMismatchError(`source blob hashes to ${actual}, not ${blob.digest}`, context);
  };
  let read = from;
  for await (const chunk of stream) {
    const piece = chunk as Buffer;
    read += piece.length;
    if (read > blob.size)
      throw new DigestMismatchError(`source blob is longer than ${blob.size} bytes`, context);
    hash.update(piece);
    if (read === blob.size) verify();
    yield piece;
  }
  if (read !== blob.size)
    throw new DigestMismatchError(`source blob has ${read} of ${blob.size} bytes`, context);
  if (blob.size === 0) verify();
}

/** The source's bytes from `offset` on, for a sink that finishes alone, verified with its own hash. */
function readAlone(
  source: BlobSource,
  blob: Descriptor,
  hash: Hash,
  offset: number,
  sink: FanOutSink,
  options: FanOutOptions,
): () => AsyncIterable<Buffer> {
  const context = { registry: source.client.registry, repository: source.repository, digest: blob.digest };
  return async function* () {
    if (offset === blob.size) return;
    const { stream } = await source.client.getBlob(source.repository, blob.digest, {
      signal: sink.signal,
      offset,
    });
    try {
      for await (const piece of verifiedPieces(stream, blob, hash, offset, context)) {
        await options.limiter?.take(piece.length, sink.signal);
        options.onBytes?.(piece.length);
        yield piece;
      }
    } finally {
      stream.destroy();
    }
  };
}

/**
 * Waits until every attached lane has room for the next piece. A lane that stays full while
 * another has nothing to write is holding that one back; once it has done so for
 * `detachAfterMs`, it is detached to finish alone, so a slow or hung site never sets the pace
 * of the others for long (a hung one is then cut by its own stall watch).
 */
async function roomInEveryLane(
  lanes: SinkLane[],
  detach: (lane: SinkLane) => void,
  detachAfterMs: number,
): Promise<void> {
  for (;;) {
    const full = lanes.filter((lane) => lane.attached && lane.full);
    if (full.length === 0) return;
    const waitingOthers = lanes.some((lane) => lane.attached && !lane.full && lane.empty);
    const started = performance.now();
    await Promise.race([Promise.all(full.map((lane) => lane.room())), sleep(holdTickMs)]);
    if (!waitingOthers) continue;
    const held = performance.now() - started;
    for (const lane of full) {
      if (!lane.attached) continue;
      lane.heldOthersMs += held;
      if (lane.heldOthersMs >= detachAfterMs) detach(lane);
    }
  }
}

/**
 * Reads one blob from the source once and streams it to every sink at the same time.
 *
 * Each piece is hashed, then queued for every sink; each sink writes from its own queue at its
 * own pace, so memory holds at most `lagBytes` per sink (plus a chunk per chunked sink), whatever
 * the blob size. The reader waits while a queue is full: sinks of like speed keep together and the
 * source is read once. A sink that holds the others back for `detachAfterMs` is detached: it
 * writes what it has queued, then the rest of the blob from its own ranged read of the source,
 * verified by a copy of the hash at that offset (`alone` resolves when it is done); the others
 * go on. The last piece is held back until the digest and size are verified: on a mismatch no
 * sink receives the whole blob and nothing is committed.
 *
 * A sink that fails is dropped; the others continue. A failure of the source fails every sink
 * with it; when it is retryable (the read broke) it is also thrown, so the whole copy is tried
 * again and resumes the uploads kept open; a permanent one (a wrong digest) is each sink's error.
 */
export async function fanOutBlob(
  source: BlobSource,
  blob: Descriptor,
  sinks: FanOutSink[],
  options: FanOutOptions = {},
): Promise<void> {
  const { signal } = options;
  const context = { registry: source.client.registry, repository: source.repository, digest: blob.digest };
  const hash = createHash(blob.digest.split(':')[0]!);
  const lanes = sinks.map((sink) => new SinkLane(sink, options.lagBytes ?? defaultLagBytes));
  const detachAfterMs = options.detachAfterMs ?? defaultDetachAfterMs;
  let read = 0;
  /** `piece` was read (and hashed) but not queued yet: the lane gets it, then goes on alone. */
  const detach = (lane: SinkLane, piece: Buffer) => {
    lane.push(piece);
    // The whole blob is read and verified already: the lane only has its queue left to write.
    if (read === blob.size) lane.end();
    else lane.detach(readAlone(source, blob, hash.copy(), read, lane.sink, options));
    lane.sink.alone = lane.done;
  };
  const watched = <T>(work: () => Promise<T>) =>
    options.sourceWatch ? options.sourceWatch.during(work) : work();

  let stream: NodeJS.ReadableStream | undefined;
  try {
    const response = await watched(() => source.client.getBlob(source.repository, blob.digest, { signal }));
    stream = response.stream;
    const pieces = verifiedPieces(response.stream, blob, hash, 0, context)[Symbol.asyncIterator]();
    for (;;) {
      const next = await watched(() => pieces.next());
      if (next.done) break;
      const piece = next.value;
      read += piece.length;
      options.sourceWatch?.progress();
      await options.limiter?.take(piece.length, signal);
      await roomInEveryLane(lanes, (lane) => detach(lane, piece), detachAfterMs);
      for (const lane of lanes) if (lane.attached) lane.push(piece);
      options.onBytes?.(piece.length);
      if (!lanes.some((lane) => lane.attached)) break;
    }
  } catch (error) {
    const reason = signal?.aborted ? new AbortedError('copy aborted', { cause: error }) : error;
    for (const lane of lanes) if (lane.attached) lane.fail(reason);
    await Promise.allSettled(lanes.filter((lane) => !lane.sink.alone).map((lane) => lane.done));
    // The source may serve the blob on another attempt, which resumes what the sinks kept.
    if (keepsSession(reason)) throw reason;
    return;
  } finally {
    (stream as { destroy?: () => void } | undefined)?.destroy?.();
  }
  for (const lane of lanes) lane.end();
  await lanesDone(
    lanes.filter((lane) => !lane.sink.alone),
    detachAfterMs,
  );
}

/**
 * Waits for the lanes to commit. One still writing `detachAfterMs` after another finished holds
 * its target's manifests only, not the others': it is left to finish alone.
 */
async function lanesDone(lanes: SinkLane[], detachAfterMs: number): Promise<void> {
  let firstDone: number | undefined;
  for (;;) {
    const open = lanes.filter((lane) => !lane.finished);
    if (open.length === 0) return;
    if (open.length < lanes.length) firstDone ??= performance.now();
    if (firstDone !== undefined && performance.now() - firstDone >= detachAfterMs) {
      for (const lane of open) lane.sink.alone = lane.done;
      return;
    }
    await Promise.race([Promise.race(open.map((lane) => lane.done)), sleep(holdTickMs)]);
  }
}
