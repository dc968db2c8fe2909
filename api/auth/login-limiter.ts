import { LruMap } from '../lru-map.js';

/**
 * Counts failed logins per key (a user name at a client address) in a fixed window, so a password
 * cannot be guessed at full speed, while failures elsewhere never lock a key out. Memory is
 * bounded: past `maxKeys` the least recently used key is forgotten.
 */
export class LoginLimiter {
  readonly #failures: LruMap<string, { count: number; windowStart: number }>;

  constructor(
    readonly maxFailures: number,
    readonly windowMs = 60_000,
    readonly maxKeys = 10_000,
    readonly now: () => number = Date.now,
  ) {
    this.#failures = new LruMap(maxKeys);
  }

  /** Seconds to wait before trying again, or 0 when the key may try now. */
  retryAfterSeconds(key: string): number {
    const entry = this.#failures.get(key);
    if (!entry) return 0;
    const elapsed = this.now() - entry.windowStart;
    if (elapsed >= this.windowMs) {
      this.#failures.delete(key);
      return 0;
    }
    return entry.count >= this.maxFailures ? Math.ceil((this.windowMs - elapsed) / 1000) : 0;
  }

  recordFailure(key: string): void {
    const now = this.now();
    const entry = this.#failures.get(key);
    if (entry && now - entry.windowStart < this.windowMs) {
      entry.count += 1;
      return;
    }
    this.#failures.set(key, { count: 1, windowStart: now });
  }

  /** A successful login clears the key's failures. */
  recordSuccess(key: string): void {
    this.#failures.delete(key);
  }
}
