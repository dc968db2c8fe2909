// The blob fan-out with a source and sinks played by the test: who waits for whom, what a sink
// that stops costs the others, and what reaches each sink. Real registries: registry-copy.test.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { errorCode } from '../../errors/regatta-error.js';
import { RegistryNetworkError, RegistryStalledError, type RegistryClient } from '../../registry/index.js';
import { fanOutBlob, type BlobSink, type FanOutSink } from '../../registry/copy/blob-fanout.js';
import { StallWatch } from '../../registry/copy/stall-watch.js';

const piece = 64 * 1024;
const blobBytes = Buffer.alloc(64 * piece, 7).map((_, index) => index % 251);
const blob = {
  mediaType: 'application/octet-stream',
  digest: `sha256:${createHash('sha256').update(blobBytes).digest('hex')}`,
  size: blobBytes.length,
};

/** A source serving `blobBytes` in 64 KiB pieces (from a byte offset when asked), counting what it sends. */
function source(options: { failAt?: number } = {}) {
  const served = { bytes: 0, reads: [] as number[] };
  const client = {
    registry: 'hq.example',
    async getBlob(_repository: string, _digest: string, { offset = 0 }: { offset?: number } = {}) {
      served.reads.push(offset);
      async function* pieces() {
        for (let at = offset; at < blobBytes.length; at += piece) {
          if (options.failAt !== undefined && at >= options.failAt)
            throw new RegistryNetworkError('cut', { registry: 'hq.example' });
          served.bytes += Math.min(piece, blobBytes.length - at);
          yield blobBytes.subarray(at, at + piece);
          await sleep(0);
        }
      }
      return { size: blobBytes.length - offset, stream: Readable.from(pieces()) };
    },
  };
  return { source: { client: client as unknown as RegistryClient, repository: 'app' }, served };
}

interface TestSink extends FanOutSink {
  received: Buffer[];
  committedAt?: number;
  aborted?: { keepSession: boolean };
}

/** A sink that takes each piece after `delayMs`, or never once `hangAfter` bytes have arrived. */
function sink(options: { delayMs?: number; hangAfter?: number; stallMs?: number } = {}): TestSink {
  const controller = new AbortController();
  const received: Buffer[] = [];
  let taken = 0;
  const writer: BlobSink = {
    async write(data) {
      if (options.hangAfter !== undefined && taken >= options.hangAfter) {
        // Accepts, never answers: only the stall watch's abort ends the wait.
        await new Promise((_, reject) =>
          controller.signal.addEventListener('abort', () => reject(controller.signal.reason)),
        );
      }
      if (options.delayMs) await sleep(options.delayMs);
      received.push(Buffer.from(data));
      taken += data.length;
    },
    async commit() {
      result.committedAt = performance.now();
    },
    async abort(_reason, { keepSession = false } = {}) {
      result.aborted = { keepSession };
    },
  };
  const watch = new StallWatch(options.stallMs ?? 60_000, () =>
    controller.abort(new RegistryStalledError('no progress', { registry: 'site.example' })),
  );
  const result: TestSink = { writer, watch, received };
  return result;
}

const whole = (target: TestSink) => Buffer.concat(target.received).equals(blobBytes);

describe('fanOutBlob', () => {
  it('sinks of like speed – every sink gets the whole blob from one read of the source', async () => {
    const { source: from, served } = source();
    const sinks = [sink({ delayMs: 1 }), sink({ delayMs: 1 }), sink()];
    await fanOutBlob(from, blob, sinks, { lagBytes: 256 * 1024, detachAfterMs: 2_000 });
    assert.ok(sinks.every(whole));
    assert.ok(sinks.every((target) => target.committedAt !== undefined && !target.alone));
    assert.deepEqual(served.reads, [0]);
    assert.equal(served.bytes, blob.size);
  });

  it('a hung sink – the others finish within the detach time; it is cut alone by its stall watch', async () => {
    const { source: from, served } = source();
    const hung = sink({ hangAfter: 8 * piece, stallMs: 1_500 });
    const others = [sink(), sink()];
    const started = performance.now();
    await fanOutBlob(from, blob, [...others, hung], { lagBytes: 4 * piece, detachAfterMs: 300 });
    const othersDone = performance.now() - started;
    assert.ok(others.every(whole));
    assert.ok(othersDone < 1_200, `the others were held ${Math.round(othersDone)} ms`);
    assert.ok(hung.alone, 'the hung sink goes on alone');
    await hung.alone;
    assert.equal(errorCode(hung.error), 'REGISTRY_STALLED');
    assert.equal(hung.committedAt, undefined);
    assert.ok(performance.now() - started >= 1_400, 'cut at its stall timeout, not before');
    // It never took more than it had before it hung; its queue held at most lagBytes and a piece.
    assert.equal(Buffer.concat(hung.received).length, 8 * piece);
    assert.ok(served.reads.length <= 2);
  });

  it('a slow sink – finishes alone from a ranged read of the source, verified; the others do not wait', async () => {
    const { source: from, served } = source();
    const slow = sink({ delayMs: 15 });
    const fast = [sink(), sink()];
    await fanOutBlob(from, blob, [...fast, slow], { lagBytes: 4 * piece, detachAfterMs: 200 });
    assert.ok(fast.every(whole));
    assert.ok(slow.alone);
    await slow.alone;
    assert.equal(slow.error, undefined);
    assert.ok(whole(slow), 'the slow sink got every byte, in order');
    assert.ok(slow.committedAt! > Math.max(...fast.map((target) => target.committedAt!)));
    assert.equal(served.reads.length, 2, 'one read for all, one from the offset where the slow one left');
    assert.ok(served.reads[1]! > 0 && served.bytes < 2 * blob.size);
  });

  it('a source cut mid-blob – thrown (retryable) and each sink stopped with its upload kept', async () => {
    const { source: from } = source({ failAt: 32 * piece });
    const sinks = [sink(), sink()];
    await assert.rejects(
      fanOutBlob(from, blob, sinks),
      (error: unknown) => errorCode(error) === 'REGISTRY_NETWORK',
    );
    for (const target of sinks) {
      assert.equal(target.committedAt, undefined);
      assert.deepEqual(target.aborted, { keepSession: true });
    }
  });

  it('a wrong digest – no sink commits, each fails DIGEST_MISMATCH and drops its upload', async () => {
    const { source: from } = source();
    const sinks = [sink(), sink()];
    await fanOutBlob(from, { ...blob, digest: `sha256:${'0'.repeat(64)}` }, sinks);
    for (const target of sinks) {
      assert.equal(errorCode(target.error), 'DIGEST_MISMATCH');
      assert.equal(target.committedAt, undefined);
      assert.deepEqual(target.aborted, { keepSession: false });
      // The piece that would complete the blob never reached it.
      assert.ok(Buffer.concat(target.received).length < blob.size);
    }
  });
});
