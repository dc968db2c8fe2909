/**
 * The blobs the copies of a worker are putting at target repositories right now. Many tags of one
 * image copied at once would otherwise each find a blob missing at a site and each read it from
 * the source; the first copy claims it, the others wait for it and read it only if it failed.
 * An entry lives while its copy works on that blob: nothing is remembered after.
 */
export class BlobPlacements {
  private readonly inFlight = new Map<string, Promise<boolean>>();

  /** Settles the claim: whether the blob is at the repository now. Calling it again does nothing. */
  claim(key: string): ((placed: boolean) => void) | undefined {
    if (this.inFlight.has(key)) return undefined;
    let settle!: (placed: boolean) => void;
    this.inFlight.set(key, new Promise<boolean>((resolve) => (settle = resolve)));
    let settled = false;
    return (placed) => {
      if (settled) return;
      settled = true;
      this.inFlight.delete(key);
      settle(placed);
    };
  }

  /**
   * Whether the copy that holds `key` put the blob there: undefined when none holds it, false
   * when it failed or `signal` fired first (the caller then places the blob itself, or stops).
   */
  async placed(key: string, signal?: AbortSignal): Promise<boolean | undefined> {
    const holder = this.inFlight.get(key);
    if (!holder || !signal) return holder;
    if (signal.aborted) return false;
    let onAbort!: () => void;
    const aborted = new Promise<boolean>((resolve) => {
      onAbort = () => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([holder, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Blobs being placed now. */
  get size(): number {
    return this.inFlight.size;
  }
}
