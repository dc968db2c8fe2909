import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { AbortedError, RegistryRateLimitedError } from './errors.js';

type Headers = Dispatcher.ResponseData['headers'];

/** What one response said of the registry's rate limit (`RateLimit-Limit: 100;w=21600`, Docker Hub's form). */
export interface RateLimitReading {
  limit?: number;
  remaining?: number;
  windowSeconds?: number;
  /** `RateLimit-Reset`: seconds until the budget is whole again, when the registry says. */
  resetSeconds?: number;
}

function first(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `76;w=21600` → 76 and its window; undefined when the header is absent or unreadable. */
function quota(value: string | undefined): { count: number; windowSeconds?: number } | undefined {
  const match = /^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+))?/.exec(value ?? '');
  if (!match) return undefined;
  return { count: Number(match[1]), ...(match[2] ? { windowSeconds: Number(match[2]) } : {}) };
}

/** The rate-limit headers of a response; undefined when it sent none. */
export function readRateLimit(headers: Headers): RateLimitReading | undefined {
  const limit = quota(first(headers, 'ratelimit-limit'));
  const remaining = quota(first(headers, 'ratelimit-remaining'));
  const reset = quota(first(headers, 'ratelimit-reset'));
  if (!limit && !remaining) return undefined;
  const windowSeconds = remaining?.windowSeconds ?? limit?.windowSeconds;
  return {
    ...(limit ? { limit: limit.count } : {}),
    ...(remaining ? { remaining: remaining.count } : {}),
    ...(windowSeconds ? { windowSeconds } : {}),
    ...(reset ? { resetSeconds: reset.count } : {}),
  };
}

export interface RateBudgetOptions {
  /** Requests left untouched (for people and other tools); default 5 % of the limit, at least 1. */
  reserve?: number;
  /** A wait up to this long is slept through in the request; a longer one fails fast. */
  shortWaitMs?: number;
  /** Wait assumed after a 429 that gave no `Retry-After`, when the window is not known either. */
  defaultWaitMs?: number;
  now?: () => number;
}

/**
 * One registry's request budget as this worker knows it, shared by every client of the registry
 * (every activity using it), from the registry's own `RateLimit-*` headers and 429s. Requests
 * count against `remaining` as they are sent and each answer sets it anew. When it is down to the
 * reserve, or a 429 asks for a long wait, requests fail at once with REGISTRY_RATE_LIMITED and the
 * time to resume, so a run waits durably instead of spending what is left.
 */
export class RateBudget {
  private limit: number | undefined;
  private remaining: number | undefined;
  private windowMs: number | undefined;
  private resumeAtMs = 0;
  private readonly now: () => number;
  private readonly shortWaitMs: number;
  private readonly defaultWaitMs: number;

  constructor(private readonly options: RateBudgetOptions = {}) {
    this.now = options.now ?? Date.now;
    this.shortWaitMs = options.shortWaitMs ?? 5_000;
    this.defaultWaitMs = options.defaultWaitMs ?? 60_000;
  }

  /** When requests may be sent again, if they may not now (ISO 8601). */
  get resumeAt(): string | undefined {
    return this.resumeAtMs > this.now() ? new Date(this.resumeAtMs).toISOString() : undefined;
  }

  /**
   * Before a request: sleeps through a short wait, fails fast through a long one, then counts the
   * request. Only requests the registry counts are held (`counted`: manifest GETs, as Docker Hub
   * counts pulls): a copy whose manifest took the last request before the reserve still reads its
   * blobs, or it would be stopped again at every try.
   */
  async admit(registry: string, signal?: AbortSignal, counted = true): Promise<void> {
    if (!counted) return;
    const waitMs = this.resumeAtMs - this.now();
    if (waitMs > this.shortWaitMs) throw this.limited(registry);
    if (waitMs > 0) {
      try {
        await sleep(waitMs, undefined, { signal });
      } catch (error) {
        throw new AbortedError('aborted while waiting for the rate limit', { cause: error });
      }
    }
    if (this.remaining !== undefined) this.remaining--;
  }

  /** After a response: what the registry says is left; the budget closes at the reserve. */
  observe(headers: Headers): void {
    const reading = readRateLimit(headers);
    if (!reading) return;
    this.limit = reading.limit ?? this.limit;
    this.windowMs = reading.windowSeconds ? reading.windowSeconds * 1000 : this.windowMs;
    if (reading.remaining === undefined) return;
    this.remaining = reading.remaining;
    const limit = this.limit ?? reading.remaining;
    const reserve = this.options.reserve ?? Math.max(1, Math.floor(limit * 0.05));
    // The registry's word is the budget: a window that refilled early (or a reset) opens it again.
    if (reading.remaining > reserve) {
      this.resumeAtMs = 0;
      return;
    }
    const now = this.now();
    if (reading.resetSeconds !== undefined) {
      this.closeUntil(now + reading.resetSeconds * 1000);
      return;
    }
    // The window refills at limit / window; wait until a tenth of the limit is back above the
    // reserve, so the run resumes with work it can do rather than one request at a time.
    const wanted = reserve + Math.max(1, Math.ceil(limit * 0.1)) - reading.remaining;
    const perRequestMs = this.windowMs && limit > 0 ? this.windowMs / limit : this.defaultWaitMs;
    this.closeUntil(now + Math.ceil(wanted * perRequestMs));
  }

  /**
   * A 429 that may be tried again in the request after a short `Retry-After` (or the request's own
   * backoff when it gave none); throws REGISTRY_RATE_LIMITED when the wait is long or the request
   * has no tries left, closing the budget until then.
   */
  tooManyRequests(registry: string, retryAfterMs: number | undefined, lastTry: boolean): void {
    if (!lastTry && (retryAfterMs === undefined || retryAfterMs <= this.shortWaitMs)) return;
    const perRequestMs = this.windowMs && this.limit ? this.windowMs / this.limit : this.defaultWaitMs;
    this.closeUntil(this.now() + Math.max(retryAfterMs ?? perRequestMs, 1000));
    throw this.limited(registry, 429);
  }

  private closeUntil(atMs: number): void {
    this.resumeAtMs = Math.max(this.resumeAtMs, atMs);
  }

  private limited(registry: string, status?: number): RegistryRateLimitedError {
    const resumeAt = new Date(this.resumeAtMs).toISOString();
    const left =
      status === undefined && this.remaining !== undefined && this.limit !== undefined
        ? ` (${Math.max(0, this.remaining)} of ${this.limit} requests left)`
        : '';
    return new RegistryRateLimitedError(
      `${registry}: rate limited${left}; resume at ${resumeAt}`,
      { registry, ...(status ? { status } : {}) },
      resumeAt,
    );
  }
}
