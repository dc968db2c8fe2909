/**
 * Waits until `promise` settles or `ms` pass, whichever comes first. The timer is a plain one,
 * cleared: an aborted promise timer costs an error with a stack every time.
 */
export async function waitAtMost(ms: number, promise: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
