/**
 * Milliseconds an HTTP answer's `Retry-After` asks to wait (delta-seconds or an HTTP date), if it
 * says: when trying again can help is part of classifying a failure, for registries and
 * notification receivers alike.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
