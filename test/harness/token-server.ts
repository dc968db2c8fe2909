import { createSign, createVerify, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import type { TestCertificates } from './certificates.js';
import type { Credentials } from './registry-server.js';
import { startRegistryServer, type RegistryServer } from './registry-server.js';

export interface TokenServerOptions {
  certificates: TestCertificates;
  users: Credentials[];
  /** OAuth2 refresh tokens accepted by the `refresh_token` grant, mapped to the user they stand for. */
  identityTokens?: Record<string, string>;
  service?: string;
  issuer?: string;
  expiresInSeconds?: number;
  /** Which field carries the token: Docker's `token`, OAuth2's `access_token`, or both. */
  tokenField?: 'token' | 'access_token' | 'both';
  /** Give a client without credentials a token for `pull` only, as Docker Hub does. */
  anonymousPull?: boolean;
}

export interface TokenRequest {
  user: string | undefined;
  scopes: string[];
  grant: 'basic' | 'refresh_token' | 'anonymous';
}

export interface TokenServer {
  /** The realm registries send clients to. */
  realm: string;
  /** The claims of a token this server signed, or undefined when it did not sign it (or it expired). */
  verify(
    token: string,
  ): { sub: string; access: Array<{ type: string; name: string; actions: string[] }> } | undefined;
  service: string;
  issuer: string;
  requests: TokenRequest[];
  stop(): Promise<void>;
}

const base64url = (input: Buffer | string) => Buffer.from(input).toString('base64url');

function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const match = /^([a-z]+):(.+):([a-z*,]+)$/.exec(scope);
  if (!match) return undefined;
  return { type: match[1]!, name: match[2]!, actions: match[3]!.split(',') };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const pieces: Buffer[] = [];
  for await (const piece of request) pieces.push(piece as Buffer);
  return Buffer.concat(pieces).toString('utf8');
}

/**
 * The Docker token protocol for tests: Basic credentials (or a refresh token) in, a JWT out,
 * signed by the test CA's key with the CA certificate in `x5c` so that Distribution's
 * `rootcertbundle` (the CA) verifies it. Every valid user gets the actions it asks for.
 */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const caDir = dirname(options.certificates.caFile);
  const key = readFileSync(join(caDir, 'ca.key'), 'utf8');
  const certificate = new X509Certificate(options.certificates.caPem);
  const service = options.service ?? 'regatta-test-registry';
  const issuer = options.issuer ?? 'regatta-test-issuer';
  const requests: TokenRequest[] = [];

  const sign = (user: string, scopes: string[]) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certificate.raw.toString('base64')] };
    const claims = {
      iss: issuer,
      sub: user,
      aud: service,
      iat: now,
      nbf: now - 5,
      exp: now + (options.expiresInSeconds ?? 300),
      jti: randomUUID(),
      access: scopes.flatMap((scope) => parseScope(scope) ?? []),
    };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(key);
    return `${input}.${base64url(signature)}`;
  };

  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://token');
    let user: string | undefined;
    let grant: TokenRequest['grant'] = 'anonymous';
    let params = url.searchParams;
    if (request.method === 'POST') {
      params = new URLSearchParams(await readBody(request));
      grant = 'refresh_token';
      user = options.identityTokens?.[params.get('refresh_token') ?? ''];
    } else {
      const authorization = request.headers.authorization ?? '';
      if (authorization.startsWith('Basic ')) {
        grant = 'basic';
        const [name, ...rest] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
        const known = options.users.find((candidate) => candidate.username === name);
        if (known && known.password === rest.join(':')) user = name;
      }
    }
    const scopes = params
      .getAll('scope')
      .flatMap((scope) => scope.split(' '))
      .filter(Boolean);
    requests.push({ user, scopes, grant });
    if (!user && grant === 'anonymous' && options.anonymousPull) {
      const pullOnly = scopes.flatMap((scope) => {
        const parsed = parseScope(scope);
        return parsed?.type === 'repository' && parsed.actions.includes('pull')
          ? [`repository:${parsed.name}:pull`]
          : [];
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ token: sign('', pullOnly), expires_in: options.expiresInSeconds ?? 300 }),
      );
      return;
    }
    if (!user) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
      );
      return;
    }
    if (params.get('service') !== service) {
      response.writeHead(400).end();
      return;
    }
    const token = sign(user, scopes);
    const field = options.tokenField ?? 'token';
    const body = {
      ...(field !== 'access_token' ? { token } : {}),
      ...(field !== 'token' ? { access_token: token } : {}),
      expires_in: options.expiresInSeconds ?? 300,
      issued_at: new Date().toISOString(),
    };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const server = createServer((request, response) => {
    answer(request, response).catch(() => response.writeHead(500).end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('token server has no address');
  const verify: TokenServer['verify'] = (token) => {
    const [header, claims, signature] = token.split('.');
    if (!header || !claims || !signature) return undefined;
    const signed = createVerify('RSA-SHA256')
      .update(`${header}.${claims}`)
      .verify(certificate.publicKey, Buffer.from(signature, 'base64url'));
    if (!signed) return undefined;
    const parsed = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as ReturnType<
      TokenServer['verify']
    > & { exp: number; aud: string };
    return parsed.exp * 1000 > Date.now() && parsed.aud === service ? parsed : undefined;
  };
  return {
    realm: `http://127.0.0.1:${address.port}/token`,
    service,
    issuer,
    requests,
    verify,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A Distribution registry with `auth: token` pointed at a fresh token server. */
export async function startTokenAuthRegistry(options: {
  name: string;
  dir: string;
  tokenServer: TokenServerOptions;
}): Promise<{ registry: RegistryServer; tokenServer: TokenServer; stop(): Promise<void> }> {
  const tokenServer = await startTokenServer(options.tokenServer);
  try {
    const registry = await startRegistryServer({
      name: options.name,
      dir: options.dir,
      auth: {
        token: {
          realm: tokenServer.realm,
          service: tokenServer.service,
          issuer: tokenServer.issuer,
          rootcertbundle: options.tokenServer.certificates.caFile,
        },
      },
    });
    return {
      registry,
      tokenServer,
      stop: async () => {
        await registry.stop();
        await tokenServer.stop();
      },
    };
  } catch (error) {
    await tokenServer.stop();
    throw error;
  }
}
