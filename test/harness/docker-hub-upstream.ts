import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import type { TestCertificates } from './certificates.js';
import type { DistributionVersion } from './distribution-binary.js';
import { serveOnLoopback } from './loopback-server.js';
import { startRegistryServer, type RegistryServer } from './registry-server.js';
import { startTokenServer, type TokenServer } from './token-server.js';

export interface DockerHubUpstreamOptions {
  dir: string;
  certificates: TestCertificates;
  distribution?: DistributionVersion;
  /** Manifest GETs allowed per window (Docker Hub counts those, not HEADs). */
  budget: number;
  windowSeconds: number;
}

/** What the upstream was asked, by kind. */
export interface UpstreamCounts {
  manifestGets: number;
  manifestHeads: number;
  catalogRequests: number;
  tooManyRequests: number;
  /** Requests refused for want of a valid token. */
  unauthorized: number;
}

export interface DockerHubUpstream {
  /** http://127.0.0.1:PORT: the registry API as Regatta reaches it. */
  url: string;
  /** The Distribution registry behind it, without auth: tests push the upstream's images here. */
  registry: RegistryServer;
  tokenServer: TokenServer;
  readonly counts: UpstreamCounts;
  /** Starts a new window with this budget (what is left in it). */
  resetWindow(budget?: number): void;
  /** Answers the next `count` manifest GETs 429 with `Retry-After: seconds`, whatever the budget. */
  refuseManifests(count: number, seconds: number): void;
  stop(): Promise<void>;
}

const repositoryPath = /^\/v2\/(.+?)\/(manifests|blobs|tags)\//;

/**
 * A registry that behaves as Docker Hub does, in front of a real Distribution registry: it
 * refuses `/v2/_catalog` (401, whatever the token), requires bearer tokens from a token server
 * (anonymous pulls allowed), counts manifest GETs against a fixed-window budget, says what is
 * left in `RateLimit-Limit` / `RateLimit-Remaining` (`;w=` window) on every manifest answer and,
 * once the budget is spent, answers manifest GETs 429 with `Retry-After` (the end of the window).
 */
export async function startDockerHubUpstream(options: DockerHubUpstreamOptions): Promise<DockerHubUpstream> {
  const registry = await startRegistryServer({
    name: 'upstream',
    dir: join(options.dir, 'registry'),
    distribution: options.distribution ?? 2,
  });
  const tokenServer = await startTokenServer({
    certificates: options.certificates,
    users: [],
    anonymousPull: true,
    service: 'registry.docker.io',
  });
  const counts: UpstreamCounts = {
    manifestGets: 0,
    manifestHeads: 0,
    catalogRequests: 0,
    tooManyRequests: 0,
    unauthorized: 0,
  };
  const windowMs = options.windowSeconds * 1000;
  let windowStart = Date.now();
  let remaining = options.budget;
  let refusals = { count: 0, seconds: 0 };
  const window = () => {
    if (Date.now() - windowStart >= windowMs) {
      windowStart = Date.now();
      remaining = options.budget;
    }
  };
  const rateHeaders = () => ({
    'ratelimit-limit': `${options.budget};w=${options.windowSeconds}`,
    'ratelimit-remaining': `${Math.max(0, remaining)};w=${options.windowSeconds}`,
  });

  const challenge = (response: ServerResponse, scope: string) => {
    counts.unauthorized++;
    response.writeHead(401, {
      'content-type': 'application/json',
      'www-authenticate': `Bearer realm="${tokenServer.realm}",service="${tokenServer.service}",scope="${scope}"`,
    });
    response.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
  };

  const answer = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const path = incoming.url ?? '/';
    const token = /^Bearer (.+)$/.exec(incoming.headers.authorization ?? '')?.[1];
    const claims = token ? tokenServer.verify(token) : undefined;
    if (path.startsWith('/v2/_catalog')) {
      counts.catalogRequests++;
      challenge(outgoing, 'registry:catalog:*');
      return;
    }
    const repository = repositoryPath.exec(path.split('?')[0]!)?.[1];
    if (path !== '/v2/' && !repository) {
      outgoing.writeHead(404).end();
      return;
    }
    const allowed =
      repository === undefined
        ? claims !== undefined
        : claims?.access.some(
            (entry) =>
              entry.type === 'repository' && entry.name === repository && entry.actions.includes('pull'),
          );
    if (!allowed) {
      challenge(outgoing, repository ? `repository:${repository}:pull` : '');
      return;
    }
    const manifest = path.includes('/manifests/');
    let extra: Record<string, string> = {};
    if (manifest) {
      window();
      if (incoming.method === 'GET') {
        const refused = refusals.count > 0;
        if (remaining <= 0 || refused) {
          counts.tooManyRequests++;
          if (refused) refusals.count--;
          const retryAfter = refused
            ? refusals.seconds
            : Math.max(1, Math.ceil((windowStart + windowMs - Date.now()) / 1000));
          outgoing.writeHead(429, {
            'content-type': 'application/json',
            'retry-after': String(retryAfter),
            ...rateHeaders(),
          });
          outgoing.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'pull rate limit' }] }));
          return;
        }
        counts.manifestGets++;
        remaining--;
      } else counts.manifestHeads++;
      extra = rateHeaders();
    }
    const {
      host: _host,
      authorization: _authorization,
      connection: _connection,
      ...headers
    } = incoming.headers;
    const reply = await request(`${registry.url}${path}`, {
      method: incoming.method as 'GET',
      headers,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const { connection: _c, 'transfer-encoding': _t, 'keep-alive': _k, ...replyHeaders } = reply.headers;
    outgoing.writeHead(reply.statusCode, { ...(replyHeaders as Record<string, string>), ...extra });
    await pipeline(reply.body, outgoing);
  };

  const server = await serveOnLoopback(answer);
  return {
    url: server.url,
    registry,
    tokenServer,
    counts,
    resetWindow(budget = options.budget) {
      windowStart = Date.now();
      remaining = budget;
    },
    refuseManifests(count, seconds) {
      refusals = { count, seconds };
    },
    async stop() {
      await server.stop();
      await tokenServer.stop();
      await registry.stop();
    },
  };
}
