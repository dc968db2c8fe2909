import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { errorCode } from '../errors/regatta-error.js';
import { tokenRealm, type Challenge } from './challenge.js';
import type { RegistryCredentials } from './endpoint.js';
import { RegistryNetworkError, RegistryRealmRefusedError, RegistryUnauthorizedError } from './errors.js';
import { readBounded } from './response-body.js';
import { transportError } from './response-error.js';

const TokenResponse = z.looseObject({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
  issued_at: z.string().optional(),
});

interface CachedToken {
  value: string;
  refreshAt: number;
}

// A token is refreshed this long before the registry would reject it, so a long upload that
// starts with a cached token does not meet its expiry half-way.
const expiryMarginMs = 15_000;
const defaultTokenLifetimeS = 60;
// A token reply is a JWT or two and their times; a megabyte is far more than any needs.
const maxTokenReplyBytes = 1024 * 1024;

/** Where tokens come from: the realm and service of the registry's last Bearer challenge. */
interface TokenIssuer {
  realm: URL;
  service: string | undefined;
}

/**
 * Turns a registry's `WWW-Authenticate` challenge into an `Authorization` header: nothing until the
 * registry asks, then Basic, or Bearer tokens fetched from the realm and cached per scope set.
 * The caller hands over only the registry's own 401s; a realm is kept only once it gave a token.
 */
export class Authenticator {
  private scheme: 'unknown' | 'basic' | 'bearer' = 'unknown';
  private issuer: TokenIssuer | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly registry: string;

  constructor(
    private readonly origin: string,
    private readonly credentials: RegistryCredentials | undefined,
    private readonly dispatcher: Dispatcher,
    private readonly timeoutMs: number,
  ) {
    this.registry = new URL(origin).host;
  }

  /** The header for a request needing `scopes`, or undefined when none is known to be needed. */
  async authorization(scopes: string[], signal?: AbortSignal): Promise<string | undefined> {
    if (this.scheme === 'basic') return this.basic();
    if (this.scheme !== 'bearer') return undefined;
    const key = scopeKey(scopes);
    const cached = this.tokens.get(key);
    if (cached && cached.refreshAt > Date.now()) return `Bearer ${cached.value}`;
    return `Bearer ${await this.fetchToken(this.issuer!, scopes, signal)}`;
  }

  /**
   * Learns from a 401 to a request sent with `sent` as its Authorization. Returns whether a retry
   * with fresh authorization can succeed; a token cached for these scopes is dropped, since the
   * registry refused it.
   */
  async challenged(
    challenges: Challenge[],
    scopes: string[],
    sent: string | undefined,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
    if (bearer?.params.realm) {
      const realm = tokenRealm(bearer.params.realm, this.origin);
      if (typeof realm === 'string') {
        throw new RegistryRealmRefusedError(
          `token realm of ${this.registry} ${realm}: credentials not sent`,
          {
            registry: this.registry,
            status: 401,
          },
        );
      }
      const issuer = { realm, service: bearer.params.service };
      const wanted = [...new Set([...scopes, ...splitScopes(bearer.params.scope)])];
      this.tokens.delete(scopeKey(scopes));
      await this.fetchToken(issuer, wanted, signal, scopes);
      this.scheme = 'bearer';
      this.issuer = issuer;
      return true;
    }
    if (challenges.some((challenge) => challenge.scheme === 'basic')) {
      this.scheme = 'basic';
      // Requests sent at once before the first challenge all went bare: each is retried with the
      // credentials. A request that carried them was refused, and is not.
      const basic = this.basic();
      return basic !== undefined && sent !== basic;
    }
    return false;
  }

  private basic(): string | undefined {
    if (!this.credentials || !('username' in this.credentials)) return undefined;
    const { username, password } = this.credentials;
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  private async fetchToken(
    issuer: TokenIssuer,
    scopes: string[],
    signal?: AbortSignal,
    cacheAs: string[] = scopes,
  ): Promise<string> {
    const realm = new URL(issuer.realm);
    const form = new URLSearchParams();
    if (issuer.service) form.set('service', issuer.service);
    for (const scope of scopes) form.append('scope', scope);
    let response: Dispatcher.ResponseData;
    try {
      if (this.credentials && 'identitytoken' in this.credentials) {
        // OAuth2 refresh-token grant, as the Docker CLI does with an identity token.
        form.set('grant_type', 'refresh_token');
        form.set('refresh_token', this.credentials.identitytoken);
        form.set('client_id', 'regatta');
        response = await request(realm, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          dispatcher: this.dispatcher,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
          signal,
        });
      } else {
        for (const [name, value] of form) realm.searchParams.append(name, value);
        const basic = this.basic();
        response = await request(realm, {
          headers: basic ? { authorization: basic } : {},
          dispatcher: this.dispatcher,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
          signal,
        });
      }
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw transportError(cause, { registry: this.registry }, `token server of ${this.registry}`);
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      const context = { registry: this.registry, status: response.statusCode };
      if (response.statusCode === 401 || response.statusCode === 403) {
        throw new RegistryUnauthorizedError(
          `token server of ${this.registry} refused the credentials`,
          context,
        );
      }
      throw new RegistryNetworkError(
        `token server of ${this.registry} answered ${response.statusCode}`,
        context,
      );
    }
    const what = `token reply for ${this.registry}`;
    const reply = await readBounded(response, maxTokenReplyBytes, this.registry, what).catch(
      (cause: unknown) => {
        if (errorCode(cause) === 'REGISTRY_BAD_REQUEST') throw cause;
        throw new RegistryNetworkError(`${what}: cut short`, { registry: this.registry }, { cause });
      },
    );
    const parsed = TokenResponse.safeParse(parseJson(reply));
    const value = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
    if (!parsed.success || !value) {
      throw new RegistryUnauthorizedError(`token server of ${this.registry} returned no token`, {
        registry: this.registry,
      });
    }
    const issuedAt = parsed.data.issued_at ? Date.parse(parsed.data.issued_at) : NaN;
    const start = Number.isNaN(issuedAt) ? Date.now() : Math.min(issuedAt, Date.now());
    const lifetimeMs = (parsed.data.expires_in ?? defaultTokenLifetimeS) * 1000;
    const refreshAt = start + lifetimeMs - Math.min(expiryMarginMs, lifetimeMs / 4);
    this.tokens.set(scopeKey(cacheAs), { value, refreshAt });
    this.tokens.set(scopeKey(scopes), { value, refreshAt });
    return value;
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

function splitScopes(scope: string | undefined): string[] {
  return scope ? scope.split(' ').filter((part) => part !== '') : [];
}

function scopeKey(scopes: string[]): string {
  return [...scopes].sort().join(' ');
}

/** The token scope a request on `repository` needs. */
export function repositoryScope(repository: string, actions: 'pull' | 'pull,push' | 'delete'): string {
  return `repository:${repository}:${actions}`;
}

export const catalogScope = 'registry:catalog:*';
