import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { request } from 'undici';
import { forwardedHeaders, readBody } from './http-forwarding.js';
import { listenOnLoopback } from './loopback-server.js';
import type { RegistryServer } from './registry-server.js';

export interface Exchange {
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Decides the answer to one request: `forward()` gets the registry's own, which the hook may
 * change; or the hook answers in the registry's place without forwarding.
 */
export type Tamper = (exchange: Exchange, forward: () => Promise<Answer>) => Promise<Answer>;

export interface TamperingProxy {
  /** http://127.0.0.1:PORT, in front of the registry. */
  url: string;
  stop(): Promise<void>;
}

/**
 * An HTTP proxy in front of a test-bed registry that lets a test serve bad bytes: a registry that
 * lies about content or digests, on exactly the requests it picks. Bodies are held in memory, so
 * it is for small images. The registry builds its `Location`s for the proxy (X-Forwarded-*).
 */
export async function startTamperingProxy(registry: RegistryServer, tamper: Tamper): Promise<TamperingProxy> {
  const server = createServer((incoming, outgoing) => {
    const answer = async () => {
      const exchange: Exchange = {
        method: incoming.method ?? 'GET',
        url: incoming.url ?? '/',
        headers: incoming.headers,
        body: await readBody(incoming),
      };
      const forward = async (): Promise<Answer> => {
        const headers = {
          ...forwardedHeaders(incoming.headers),
          'x-forwarded-host': String(incoming.headers.host),
          'x-forwarded-proto': 'http',
        };
        const response = await request(`${registry.url}${exchange.url}`, {
          method: exchange.method as 'GET',
          headers,
          body: exchange.body.length > 0 ? exchange.body : undefined,
          dispatcher: registry.dispatcher,
        });
        const body = Buffer.from(await response.body.arrayBuffer());
        const answered: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers))
          if (value !== undefined && name !== 'connection' && name !== 'transfer-encoding')
            answered[name] = Array.isArray(value) ? value.join(', ') : value;
        return { status: response.statusCode, headers: answered, body };
      };
      const reply = await tamper(exchange, forward);
      // A HEAD keeps the length the registry declared; otherwise the length is the body's.
      const headers = { ...reply.headers };
      if (exchange.method !== 'HEAD') headers['content-length'] = String(reply.body.length);
      outgoing.writeHead(reply.status, headers);
      outgoing.end(exchange.method === 'HEAD' ? undefined : reply.body);
    };
    answer().catch((error: unknown) => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end(String(error));
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
