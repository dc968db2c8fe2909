import { setMaxListeners } from 'node:events';
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
  /** A HEAD goes by `head`, which streams no body. */
  method: Exclude<HttpMethod, 'HEAD'>;
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
  /**
   * How long the call may wait for its answer in all, every try and pause included: none is sent
   * or waited for past it. Unset, each try has the registry's own timeout.
   */
  timeoutMs?: number | undefined;
}

/** Everything a HEAD sends: it has no body, and is always safe to send again. */
export type HeadOptions = Omit<SendOptions, 'method' | 'body' | 'retry'>;

/** What a HEAD answers: its status and headers; a HEAD has no body to read or drop. */
export type HeadResponse = Pick<Dispatcher.ResponseData, 'statusCode' | 'headers'>;

/** What a request of any method sends (`send` and `head` narrow it). */
type RequestOptions = Omit<SendOptions, 'method'> & { method: HttpMethod };

/** An answer to one request: a HEAD's has no body. */
type Answer = HeadResponse | Dispatcher.ResponseData;

const hasBody = (answer: Answer): answer is Dispatcher.ResponseData => 'body' in answer;

/** Sends one try of a request to `url`, answering within `timeoutMs`. */
type SendOnce<T extends Answer> = (
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
) => Promise<T>;

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
    return this.exchange(options, (url, headers, timeoutMs) =>
      this.request(url, headers, options, timeoutMs),
    );
  }

  /**
   * A HEAD, answered at its status line and headers. No body stream is made for it: a run that
   * finds thousands of tags in place is mostly HEADs, and a stream each cost more than the rest.
   */
  async head(options: HeadOptions): Promise<HeadResponse> {
    return this.exchange({ ...options, method: 'HEAD' }, (url, headers, timeoutMs) =>
      this.headOnce(url, headers, options.signal, timeoutMs),
    );
  }

  /** Sends with `once` until an expected answer, with authentication, retries and redirects. */
  private async exchange<T extends Answer>(options: RequestOptions, once: SendOnce<T>): Promise<T> {
    const replayable =
      options.retry !== false &&
      (options.body === undefined || typeof options.body === 'string' || Buffer.isBuffer(options.body));
    const context = { registry: this.registry, ...options.context };
    // What a registry's rate limit counts: manifest GETs (Docker Hub's pulls), not blobs or HEADs.
    const counted = options.method === 'GET' && /\/manifests\/[^/]+$/.test(options.url.split('?')[0]!);
    // Requests in flight together share one stop, each listening until it is answered (or waiting
    // for a connection): as many listeners as requests, which is no leak for Node to warn of.
    if (options.signal) setMaxListeners(0, options.signal);
    const endsAt = options.timeoutMs === undefined ? Infinity : performance.now() + options.timeoutMs;
    const leftMs = () => endsAt - performance.now();
    let authRetried = false;
    for (let attempt = 1; ; attempt++) {
      let response: T;
      let answeredAt: URL;
      let sentAuthorization: string | undefined;
      await this.budget.admit(this.registry, options.signal, counted);
      try {
        ({
          response,
          url: answeredAt,
          authorization: sentAuthorization,
        } = await this.dispatch(options, once, leftMs));
      } catch (error) {
        if (options.signal?.aborted) throw new AbortedError(`${options.what}: aborted`, { cause: error });
        // Waiting again would only queue behind the same busy connections: the caller decides.
        if (error instanceof RegistryPoolTimeoutError) throw error;
        const failure = transportError(error, context, options.what);
        const delayMs = retryDelay(attempt, undefined, backoff);
        if (!failure.retryable || !replayable || attempt >= maxAttempts || delayMs >= leftMs()) throw failure;
        await this.pause(delayMs, options.signal);
        continue;
      }
      this.budget.observe(response.headers);
      if (options.expect.includes(response.statusCode)) return response;
      const body = hasBody(response) ? await readPrefix(response, maxErrorBodyBytes) : '';
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
      const delayMs = retryDelay(
        attempt,
        'retryAfterMs' in failure ? failure.retryAfterMs : undefined,
        backoff,
      );
      const last = !failure.retryable || !replayable || attempt >= maxAttempts || delayMs >= leftMs();
      // A rate limit waits for the registry, durably when the wait is long: it never fails a run.
      if (failure instanceof RegistryTooManyRequestsError)
        this.budget.tooManyRequests(this.registry, failure.retryAfterMs, last);
      if (last) throw failure;
      await this.pause(delayMs, options.signal);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /**
   * Sends the request with `once`, following redirects when asked; returns the answer, where it
   * came from and the Authorization it was sent with there.
   */
  private async dispatch<T extends Answer>(
    options: RequestOptions,
    once: SendOnce<T>,
    leftMs: () => number,
  ): Promise<{ response: T; url: URL; authorization: string | undefined }> {
    let url = new URL(options.url, this.origin);
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { ...options.headers };
      // Credentials belong to the registry's origin only; a redirect elsewhere (a CDN) goes bare.
      if (url.origin === this.origin) {
        const authorization = await this.auth.authorization(options.scopes, options.signal);
        if (authorization) headers.authorization = authorization;
      }
      const release = await this.permit(options, Math.min(this.poolWaitMs, leftMs()));
      this.stats.requests++;
      let response: T;
      try {
        // undici takes a timeout of 0 as none.
        response = await once(url, headers, Math.max(1, Math.min(this.timeoutMs, leftMs())));
      } catch (error) {
        release();
        throw error;
      }
      // The connection is busy until the body is read to its end (or dropped): so is the permit.
      if (hasBody(response)) finished(response.body, () => release());
      else release();
      const location = response.headers.location;
      const redirect =
        [301, 302, 303, 307, 308].includes(response.statusCode) && typeof location === 'string';
      if (!options.followRedirects || !redirect || hop >= maxRedirects)
        return { response, url, authorization: headers.authorization };
      if (hasBody(response)) await response.body.dump();
      url = new URL(location, url);
    }
  }

  /** One request with a body to stream back, through the pool. */
  private request(
    url: URL,
    headers: Record<string, string>,
    options: SendOptions,
    headersTimeout: number,
  ): Promise<Dispatcher.ResponseData> {
    return request(url, {
      method: options.method,
      headers,
      body: options.body as Dispatcher.DispatchOptions['body'],
      dispatcher: this.dispatcher,
      headersTimeout,
      bodyTimeout: this.timeoutMs,
      signal: options.signal,
    });
  }

  /** One HEAD through the pool, answered as soon as its status line and headers are in. */
  private headOnce(
    url: URL,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    headersTimeout: number,
  ): Promise<HeadResponse> {
    return new Promise((resolve, reject) => {
      let stopListening = () => {};
      this.dispatcher.dispatch(
        {
          origin: url.origin,
          path: url.pathname + url.search,
          method: 'HEAD',
          headers,
          headersTimeout,
          // undici closes the connection after every HEAD by default (in case a server sends a
          // body with it); registries do not, and a new connection each costs more than the HEAD.
          reset: false,
        },
        {
          onRequestStart(controller) {
            // Called again when undici sends the HEAD again on another connection.
            stopListening();
            if (!signal) return;
            if (signal.aborted) return controller.abort(signal.reason);
            const onAbort = () => controller.abort(signal.reason);
            signal.addEventListener('abort', onAbort, { once: true });
            stopListening = () => signal.removeEventListener('abort', onAbort);
          },
          onResponseStart(_controller, statusCode, responseHeaders) {
            // An informational 1xx is followed by the answer.
            if (statusCode >= 200) resolve({ statusCode, headers: responseHeaders });
          },
          onResponseEnd() {
            stopListening();
          },
          onResponseError(_controller, error) {
            stopListening();
            reject(error);
          },
        },
      );
    });
  }

  /** A permit to send, within `waitMs`. */
  private async permit(options: RequestOptions, waitMs: number): Promise<Release> {
    const release = await this.limiter.acquire(waitMs, options.signal);
    if (release) return release;
    throw new RegistryPoolTimeoutError(
      `${options.what}: no connection to ${this.registry} came free within ${Math.round(waitMs)} ms ` +
        `(${this.limiter.size} in use)`,
      { registry: this.registry, ...options.context },
    );
  }

  private async pause(delayMs: number, signal?: AbortSignal): Promise<void> {
    try {
      await sleep(delayMs, undefined, { signal });
    } catch (error) {
      throw new AbortedError('aborted while waiting to retry', { cause: error });
    }
  }
}
