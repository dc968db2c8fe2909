import { LruMap } from './lru-map.js';

export interface TokenBucketSettings {
  /** Requests a key may make at once, after a quiet spell. */
  burst: number;
  /** Requests per second a key may keep up. */
  perSecond: number;
}

/**
 * One token bucket per key (a client address): each request takes a token, tokens come back at
 * `perSecond` up to `burst`. Memory is bounded: past `maxKeys` the least recently seen key is
 * forgotten, which at worst gives that key a full bucket again.
 */
export class TokenBucketLimiter {
  readonly #buckets: LruMap<string, { tokens: number; at: number }>;

  constructor(
    readonly settings: TokenBucketSettings,
    readonly maxKeys = 10_000,
    readonly now: () => number = Date.now,
  ) {
    this.#buckets = new LruMap(maxKeys);
  }

  /** Takes a token: 0 when the request may go ahead, else the seconds until a token is back. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.settings.burst, at: now };
    bucket.tokens = Math.min(
      this.settings.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.settings.perSecond,
    );
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.settings.perSecond));
  }
}
