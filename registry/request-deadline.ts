import { setMaxListeners } from 'node:events';

/**
 * Runs `request` with a signal that aborts once `ms` pass (a `TimeoutError`, as
 * `AbortSignal.timeout`'s does) or when `stop` aborts, and lets the timer and the listener go as
 * soon as it settles. `AbortSignal.timeout` cannot be cleared: each keeps its timer and about
 * 2 KiB until it fires, which a check of thousands of tags, a HEAD each, piles up by the thousand.
 */
export async function withDeadline<T>(
  ms: number,
  stop: AbortSignal | undefined,
  request: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')),
    ms,
  );
  const onStop = () => controller.abort(stop?.reason);
  if (stop?.aborted) onStop();
  else if (stop) {
    // Requests in flight together share one stop, each listening until it settles: as many
    // listeners as requests, which is no leak for Node to warn of.
    setMaxListeners(0, stop);
    stop.addEventListener('abort', onStop, { once: true });
  }
  try {
    return await request(controller.signal);
  } finally {
    clearTimeout(timer);
    stop?.removeEventListener('abort', onStop);
  }
}
