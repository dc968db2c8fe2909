import { finished } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { Authenticator } from './authenticator.js';
import { parseChallenges } from './challenge.js';
import type { RegistryEndpoint } from './endpoint.js';
import {
  AbortedError,
  RegistryPoolTimeoutError,
  RegistryTooManyRequestsError,
  type RegistryErrorContext,
} from './errors.js';
import { RateBudget } from './rate-budget.js';
import { RequestLimiter, type Release } from './request-limiter.js';
import { readPrefix } from './response-body.js';
import { responseError, transportError } from './response-error.js';
import { retryDelay } from './retry-timing.js';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface SendOptions {
  method: HttpMethod;
  /** A path under the registry (`/v2/...`) or an absolute URL the registry handed out (Location). */
  url: string;
  /** Token scopes the request needs (`repository:name:pull`). */
  scopes: string[];
  headers?: Record<string, string>;
  /** A stream body is sent once: such a request is never retried here. */
  body?: Buffer | string | AsyncIterable<Uint8Array>;
  /** Statuses handed back to the caller with the body unread; any other becomes a typed error. */
  expect: number[];
  context?: Omit<RegistryErrorContext, 'registry'>;
  what: string;
  signal?: AbortSignal | undefined;
  followRedirects?: boolean;
  /** False for requests whose effect on a failure is unknown (a PATCH of upload data). */
  retry?: boolean;
}

export interface TransportStats {
  requests: number;
}

/** How a worker shares one registry between its clients. */
export interface TransportOptions {
  /** Permits for requests in flight, shared by every client of the registry; default one per connection. */
  limiter?: RequestLimiter | undefined;
  /** How long a request waits for a permit before REGISTRY_POOL_TIMEOUT; default 120 s. */
  poolWaitMs?: number | undefined;
  /** The registry's rate budget, shared by every client of it in this process; default one of its own. */
  rateBudget?: RateBudget | undefined;
}

const maxAttempts = 4;
// Enough of an error body for its Distribution error code; the rest is never read.
const maxErrorBodyBytes = 64 * 1024;
const maxRedirects = 5;
const backoff = { baseMs: 250, maxMs: 10_000 };

/**
 * One registry origin: a keep-alive connection pool, authentication, retries of 429/5xx/network
 * failures (honouring Retry-After) for replayable requests, and redirects that never carry
 * `Authorization` to another origin.
 */
export class Transport {
  readonly origin: string;
  readonly registry: string;
  readonly dispatcher: Agent;
  readonly stats: TransportStats = { requests: 0 };
  /** Shared by every client of this registry in the process, when the caller gives one. */
  readonly budget: RateBudget;
  private readonly auth: Authenticator;
  private readonly timeoutMs: number;
  private readonly limiter: RequestLimiter;
  private readonly poolWaitMs: number;

  constructor(endpoint: RegistryEndpoint, options: TransportOptions = {}) {
    this.budget = options.rateBudget ?? new RateBudget();
    const base = new URL(endpoint.url);
    this.origin = base.origin;
    this.registry = base.host;
    this.timeoutMs = endpoint.timeoutMs ?? 60_000;
    const tls = {
      ...(endpoint.caPem ? { ca: endpoint.caPem } : {}),
      ...(endpoint.insecure ? { rejectUnauthorized: false } : {}),
    };
    const connections = endpoint.connections ?? 16;
    this.limiter = options.limiter ?? new RequestLimiter(connections);
    this.poolWaitMs = options.poolWaitMs ?? 120_000;
    this.dispatcher = new Agent({
      connections,
      keepAliveTimeout: 30_000,
      connect: endpoint.allow ? endpoint.allow.connector(tls) : tls,
    });
    this.auth = new Authenticator(this.origin, endpoint.credentials, this.dispatcher, this.timeoutMs);
  }

  async send(options: SendOptions): Promise<Dispatcher.ResponseData> {
    const replayable =
      options.retry !== false &&
      (options.body === undefined || typeof options.body === 'string' || Buffer.isBuffer(options.body));
    const context = { registry: this.registry, ...options.context };
    // What a registry's rate limit counts: manifest GETs (Docker Hub's pulls), not blobs or HEADs.
    const counted = options.method === 'GET' && /\/manifests\/[^/]+$/.test(options.url.split('?')[0]!);
    let authRetried = false;
    for (let attempt = 1; ; attempt++) {
      let response: Dispatcher.ResponseData;
      let answeredAt: URL;
      let sentAuthorization: string | undefined;
      await this.budget.admit(this.registry, options.signal, counted);
      try {
        ({ response, url: answeredAt, authorization: sentAuthorization } = await this.dispatch(options));
      } catch (error) {
        if (options.signal?.aborted) throw new AbortedError(`${options.what}: aborted`, { cause: error });
        // Waiting again would only queue behind the same busy connections: the caller decides.
        if (error instanceof RegistryPoolTimeoutError) throw error;
        const failure = transportError(error, context, options.what);
        if (!failure.retryable || !replayable || attempt >= maxAttempts) throw failure;
        await this.pause(attempt, undefined, options.signal);
        continue;
      }
      this.budget.observe(response.headers);
      if (options.expect.includes(response.statusCode)) return response;
      const body = options.method === 'HEAD' ? '' : await readPrefix(response, maxErrorBodyBytes);
      if (options.method === 'HEAD') await response.body.dump();
      // Only the registry's own 401 asks for its credentials; a redirect target's (a CDN's) does not.
      const own = answeredAt.origin === this.origin;
      if (response.statusCode === 401 && !authRetried && replayable && own) {
        authRetried = true;
        const header = response.headers['www-authenticate'];
        const challenges = parseChallenges(Array.isArray(header) ? header.join(', ') : (header ?? ''));
        if (await this.auth.challenged(challenges, options.scopes, sentAuthorization, options.signal))
          continue;
      }
      const what = own ? options.what : `${options.what} (redirected to ${answeredAt.host})`;
      const failure = responseError(response.statusCode, response.headers, body, context, what);
      // A rate limit waits for the registry, durably when the wait is long: it never fails a run.
      if (failure instanceof RegistryTooManyRequestsError)
        this.budget.tooManyRequests(
          this.registry,
          failure.retryAfterMs,
          !replayable || attempt >= maxAttempts,
        );
      if (!failure.retryable || !replayable || attempt >= maxAttempts) throw failure;
      await this.pause(attempt, 'retryAfterMs' in failure ? failure.retryAfterMs : undefined, options.signal);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /**
   * Sends the request, following redirects when asked; returns the response, where it came from
   * and the Authorization it was sent with there.
   */
  private async dispatch(
    options: SendOptions,
  ): Promise<{ response: Dispatcher.ResponseData; url: URL; authorization: string | undefined }> {
    let url = new URL(options.url, this.origin);
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { ...options.headers };
      // Credentials belong to the registry's origin only; a redirect elsewhere (a CDN) goes bare.
      if (url.origin === this.origin) {
        const authorization = await this.auth.authorization(options.scopes, options.signal);
        if (authorization) headers.authorization = authorization;
      }
      const release = await this.permit(options);
      this.stats.requests++;
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          method: options.method,
          headers,
          body: options.body as Dispatcher.DispatchOptions['body'],
          dispatcher: this.dispatcher,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
          signal: options.signal,
          // undici closes the connection after every HEAD by default (in case a server sends a
          // body with it); registries do not, and a run is mostly HEADs: a new connection each
          // costs more than the request.
          ...(options.method === 'HEAD' ? { reset: false } : {}),
        });
      } catch (error) {
        release();
        throw error;
      }
      // The connection is busy until the body is read to its end (or dropped): so is the permit.
      finished(response.body, () => release());
      const location = response.headers.location;
      const redirect =
        [301, 302, 303, 307, 308].includes(response.statusCode) && typeof location === 'string';
      if (!options.followRedirects || !redirect || hop >= maxRedirects)
        return { response, url, authorization: headers.authorization };
      await response.body.dump();
      url = new URL(location, url);
    }
  }

  /** A permit to send, within the pool-wait deadline. */
  private async permit(options: SendOptions): Promise<Release> {
    const release = await this.limiter.acquire(this.poolWaitMs, options.signal);
    if (release) return release;
    throw new RegistryPoolTimeoutError(
      `${options.what}: no connection to ${this.registry} came free within ${this.poolWaitMs} ms ` +
        `(${this.limiter.size} in use)`,
      { registry: this.registry, ...options.context },
    );
  }

  private async pause(
    attempt: number,
    retryAfterMs: number | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      await sleep(retryDelay(attempt, retryAfterMs, backoff), undefined, { signal });
    } catch (error) {
      throw new AbortedError('aborted while waiting to retry', { cause: error });
    }
  }
}
