/** How often a run tries a destination again after a retryable failure, and how long it waits. */
export const destinationRetry = {
  maxAttempts: 8,
  initialDelayMs: 2_000,
  maxDelayMs: 30_000,
};

/** Exponential backoff capped at `maxDelayMs`; attempt 1 is the first retry. */
export function retryDelayMs(attempt: number): number {
  return Math.min(destinationRetry.initialDelayMs * 2 ** (attempt - 1), destinationRetry.maxDelayMs);
}
