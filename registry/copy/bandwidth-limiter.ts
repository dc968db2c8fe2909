import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A token bucket shared by every blob of one copy: callers reserve bytes before sending them
 * and wait off any debt, so the copy as a whole stays near `bytesPerSecond`.
 */
export class BandwidthLimiter {
  private tokens: number;
  private last = performance.now();
  private readonly burst: number;

  constructor(private readonly bytesPerSecond: number) {
    // A tenth of a second of burst keeps the rate smooth without starving small pieces.
    this.burst = Math.max(64 * 1024, bytesPerSecond / 10);
    this.tokens = this.burst;
  }

  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.bytesPerSecond) / 1000);
    this.last = now;
    this.tokens -= bytes;
    if (this.tokens < 0) await sleep((-this.tokens / this.bytesPerSecond) * 1000, undefined, { signal });
  }
}
