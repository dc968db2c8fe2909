import type { StallWatch } from './stall-watch.js';

/** What a blob is written into: a BlobWriter (or, in tests, a fake). */
export interface BlobSink {
  write(piece: Buffer): Promise<void>;
  commit(): Promise<void>;
  /** Stops the upload; with `keepSession` a resumable upload is left for a later attempt. */
  abort(reason: unknown, options?: { keepSession?: boolean }): Promise<void>;
}

/** One target's side of a blob's fan-out. */
export interface FanOutSink {
  writer: BlobSink;
  /** The target's stall watch: armed while the sink is handed data it has not taken yet. */
  watch?: StallWatch | undefined;
  /** The target's signal, for the source read of a sink that finishes alone. */
  signal?: AbortSignal | undefined;
  /** Set when this sink's upload failed; the others carry on. */
  error?: unknown;
  /** Set when the sink fell behind and finishes alone: resolves once it has (`error` says how). */
  alone?: Promise<void>;
}

/** Whether an upload that failed so may go on from where it stands in a later attempt. */
export function keepsSession(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'retryable' in error && error.retryable === true;
}

/**
 * A bounded queue of pieces between the blob's reader and one sink, drained by the sink's own
 * pump, so sinks write at their own pace within `capBytes` of each other. A lane is ended (the
 * blob verified: commit after the queue), failed (stop), or detached: it drains its queue and
 * then writes the rest of the blob from its own read of the source (`continuation`).
 */
export class SinkLane {
  /** How long this lane, full, held the reader while another lane had nothing to write. */
  heldOthersMs = 0;
  readonly done: Promise<void>;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private state: 'open' | 'ended' | 'detached' | 'failed' = 'open';
  private continuation: (() => AsyncIterable<Buffer>) | undefined;
  private wakePump: (() => void) | undefined;
  private wakeReader: Array<() => void> = [];
  private settled = false;

  constructor(
    readonly sink: FanOutSink,
    private readonly capBytes: number,
  ) {
    this.done = this.pump();
  }

  /** Still fed by the reader. */
  get attached(): boolean {
    return this.state === 'open';
  }

  get full(): boolean {
    return this.queued >= this.capBytes;
  }

  get empty(): boolean {
    return this.queued === 0;
  }

  private get stopped(): boolean {
    return this.state === 'failed';
  }

  /** Whether the pump has finished (committed or failed). */
  get finished(): boolean {
    return this.settled;
  }

  push(piece: Buffer): void {
    this.queue.push(piece);
    this.queued += piece.length;
    this.wakePump?.();
  }

  /** The blob is verified: commit once the queue is written. */
  end(): void {
    if (this.state !== 'open') return;
    this.state = 'ended';
    this.wakePump?.();
  }

  /** Finish alone: after the queue, write what `continuation` reads from the source. */
  detach(continuation: () => AsyncIterable<Buffer>): void {
    if (this.state !== 'open') return;
    this.state = 'detached';
    this.continuation = continuation;
    this.wakePump?.();
    this.wakeAll();
  }

  /** Stops the lane; its upload is aborted (kept for a later attempt when `error` is retryable). */
  fail(error: unknown): void {
    if (this.state === 'failed') return;
    this.state = 'failed';
    this.sink.error ??= error;
    this.queue.length = 0;
    this.queued = 0;
    this.wakePump?.();
    this.wakeAll();
    void this.sink.writer.abort(error, { keepSession: keepsSession(error) });
  }

  /** Resolves once the lane has room again, or takes no more from the reader. */
  room(): Promise<void> {
    if (!this.full || !this.attached) return Promise.resolve();
    return new Promise((resolve) => this.wakeReader.push(resolve));
  }

  private wakeAll(): void {
    const waiting = this.wakeReader;
    this.wakeReader = [];
    for (const wake of waiting) wake();
  }

  /** The next piece to write, or undefined once the queue is drained and no more will come. */
  private async next(): Promise<Buffer | undefined> {
    while (this.queue.length === 0 && this.state === 'open')
      await new Promise<void>((resolve) => (this.wakePump = resolve));
    this.wakePump = undefined;
    const piece = this.queue.shift();
    if (piece) {
      this.queued -= piece.length;
      if (!this.full) this.wakeAll();
    }
    return piece;
  }

  private async write(piece: Buffer): Promise<void> {
    const { writer, watch } = this.sink;
    await (watch ? watch.during(() => writer.write(piece)) : writer.write(piece));
    watch?.progress();
  }

  private async pump(): Promise<void> {
    try {
      for (let piece = await this.next(); piece; piece = await this.next()) {
        if (this.stopped) return;
        await this.write(piece);
      }
      if (this.stopped) return;
      if (this.continuation) {
        for await (const piece of this.continuation()) {
          if (this.stopped) return;
          await this.write(piece);
        }
      }
      const { writer, watch } = this.sink;
      await (watch ? watch.during(() => writer.commit()) : writer.commit());
    } catch (error) {
      this.fail(error);
    } finally {
      this.settled = true;
      this.wakeAll();
    }
  }
}
