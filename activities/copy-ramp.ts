import { waitAtMost } from '../registry/index.js';

/**
 * Starts the copies of a batch one after another rather than all at once: each waits until the
 * copy before it moves bytes, or ends, or has waited `stepMs`. Started together, every copy opens
 * its upload sessions at every site before any of them reads a blob, and the source link idles
 * for as long as the sites take to answer them all; ramped, the first blob is read at once and
 * the other copies prepare while it flows.
 */
export class CopyRamp {
  private previous: Promise<void> = Promise.resolve();

  constructor(private readonly stepMs: number) {}

  /**
   * Waits for the next copy's turn, in the order of the calls. Answers what that copy calls once
   * it moves bytes or ends (more than once is harmless), which lets the copy after it start.
   */
  async turn(): Promise<() => void> {
    const before = this.previous;
    let letNextStart!: () => void;
    this.previous = new Promise<void>((resolve) => (letNextStart = resolve));
    await waitAtMost(this.stepMs, before);
    return letNextStart;
  }
}
