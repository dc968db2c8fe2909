import { AbortedError } from './errors.js';

/** Gives a permit back; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
}

/**
 * A counting semaphore of requests in flight to one registry, waited on in arrival order with a
 * deadline. undici queues a request that finds every connection busy with no time limit; taking
 * a permit here first bounds that wait, so a request never sits forever behind uploads that hold
 * the connections. One limiter is shared by every client of a registry in a worker, so the
 * registry's own limit holds across runs; `resize` follows an edit of that limit.
 */
export class RequestLimiter {
  private inUse = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private permits: number) {}

  get size(): number {
    return this.permits;
  }

  /** Requests holding a permit now. */
  get active(): number {
    return this.inUse;
  }

  resize(permits: number): void {
    this.permits = permits;
    this.grantWaiting();
  }

  /**
   * A permit, or undefined when none came free within `deadlineMs`. Throws AbortedError when
   * `signal` fires first. The caller releases the permit when its request is done.
   */
  acquire(deadlineMs: number, signal?: AbortSignal): Promise<Release | undefined> {
    if (signal?.aborted) return Promise.reject(new AbortedError('aborted while waiting for a connection'));
    if (this.inUse < this.permits && this.waiting.length === 0) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
      };
      const waiter: Waiter = {
        grant: (release) => {
          settle();
          resolve(release);
        },
      };
      const timer = setTimeout(() => {
        settle();
        resolve(undefined);
      }, deadlineMs);
      const onAbort = () => {
        settle();
        reject(new AbortedError('aborted while waiting for a connection'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private take(): Release {
    this.inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
      this.grantWaiting();
    };
  }

  private grantWaiting(): void {
    while (this.inUse < this.permits && this.waiting.length > 0) this.waiting[0]!.grant(this.take());
  }
}
