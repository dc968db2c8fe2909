/**
 * A hand-off of byte pieces from a producer to one consumer (an undici request body), with no
 * buffering of its own: `push` resolves only once the consumer has taken the piece, so a slow
 * consumer holds the producer back. This is the backpressure of the tee to N targets.
 */
export class PieceChannel implements AsyncIterable<Uint8Array> {
  private offered: { piece: Uint8Array; taken: () => void; refused: (error: unknown) => void } | undefined;
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: unknown;
  private closed = false;

  push(piece: Uint8Array): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed || this.ended) return Promise.reject(new Error('channel closed'));
    return new Promise((resolve, reject) => {
      this.offered = { piece, taken: resolve, refused: reject };
      this.wake?.();
    });
  }

  /** No more pieces: the consumer sees the end of the body. */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  /** The consumer's iteration throws `error`, which aborts the request; pending pushes reject. */
  fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.offered?.refused(error);
    this.offered = undefined;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    try {
      for (;;) {
        while (!this.offered && !this.ended && this.failure === undefined) {
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
        if (this.failure !== undefined) throw this.failure;
        if (this.offered) {
          const { piece, taken } = this.offered;
          this.offered = undefined;
          yield piece;
          // Resumed by the consumer asking for the next piece: this one has been written.
          taken();
          continue;
        }
        return;
      }
    } finally {
      this.closed = true;
      this.offered?.refused(new Error('channel closed'));
      this.offered = undefined;
    }
  }
}
