/** How often an activity that beats on a ticker beats. */
export const beatEveryMs = 1_000;

/**
 * `work`, with `beat` called every second until it settles: a lost worker is noticed, and a stop
 * reaches the activity, within its heartbeat timeout, whatever its requests wait for.
 */
export async function beating<T>(beat: () => void, work: () => Promise<T>): Promise<T> {
  const ticker = setInterval(beat, beatEveryMs);
  try {
    return await work();
  } finally {
    clearInterval(ticker);
  }
}
