import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request } from 'undici';
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

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

async function readAll(message: IncomingMessage): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of message) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
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
        body: await readAll(incoming),
      };
      const forward = async (): Promise<Answer> => {
        const headers: Record<string, string> = {
          'x-forwarded-host': String(incoming.headers.host),
          'x-forwarded-proto': 'http',
        };
        for (const [name, value] of Object.entries(incoming.headers))
          if (!hopByHop.has(name) && value !== undefined) headers[name] = String(value);
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
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
