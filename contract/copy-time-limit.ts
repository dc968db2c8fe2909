/** The speed a copy with no cap is assumed to keep at worst, when its time limit is sized. */
export const slowestBytesPerSecond = 1024 * 1024;
/** What every copy gets for its requests (manifests, HEADs, a registry answering slowly), whatever its size. */
const baseMs = 10 * 60_000;

/**
 * How long one attempt of a copy that moves `bytes` may take (an activity's start-to-close): the
 * requests' base time plus the bytes at the policy's speed cap (its share, bytes per second), or
 * at `slowestBytesPerSecond` without one, twice over for the retries within the attempt. A copy
 * that still runs out of time is not lost: its chunked uploads resume where the registry stands.
 */
export function copyTimeLimitMs(bytes: number, bytesPerSecond?: number): number {
  const rate = bytesPerSecond !== undefined && bytesPerSecond > 0 ? bytesPerSecond : slowestBytesPerSecond;
  return Math.ceil(baseMs + (2 * 1000 * Math.max(0, bytes)) / rate);
}
