/** Milliseconds a `Retry-After` header asks to wait (delta-seconds or an HTTP date), if it says. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (1-based): the registry's own `Retry-After` when it gave one,
 * else exponential backoff with full jitter; both capped at `maxMs` so a loop stays bounded in time.
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, options.maxMs);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
