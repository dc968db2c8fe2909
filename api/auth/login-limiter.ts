/**
 * Counts failed logins per client address in a fixed window, so a password cannot be guessed
 * at full speed. Memory is bounded: the table is emptied when it grows past `maxAddresses`.
 */
export class LoginLimiter {
  readonly #failures = new Map<string, { count: number; windowStart: number }>();

  constructor(
    readonly maxFailures: number,
    readonly windowMs = 60_000,
    readonly maxAddresses = 10_000,
    readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before trying again, or 0 when the address may try now. */
  retryAfterSeconds(address: string): number {
    const entry = this.#failures.get(address);
    if (!entry) return 0;
    const elapsed = this.now() - entry.windowStart;
    if (elapsed >= this.windowMs) {
      this.#failures.delete(address);
      return 0;
    }
    return entry.count >= this.maxFailures ? Math.ceil((this.windowMs - elapsed) / 1000) : 0;
  }

  recordFailure(address: string): void {
    const now = this.now();
    const entry = this.#failures.get(address);
    if (entry && now - entry.windowStart < this.windowMs) {
      entry.count += 1;
      return;
    }
    if (this.#failures.size >= this.maxAddresses) this.#failures.clear();
    this.#failures.set(address, { count: 1, windowStart: now });
  }
}
