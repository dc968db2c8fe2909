import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request, type Dispatcher } from 'undici';
import { serveOnLoopback } from './loopback-server.js';

export interface CountingHttpProxy {
  /** http://127.0.0.1:PORT, in front of the registry: register this URL in Regatta. */
  url: string;
  /** Blob bytes the registry served (GET bodies), by digest. */
  readonly servedBytes: ReadonlyMap<string, number>;
  /** Blob GETs the registry answered 200, by digest. */
  readonly servedCount: ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

const blobPath = /^\/v2\/.+\/blobs\/(sha256:[a-f0-9]{64})$/;

function counting(add: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      add(chunk.length);
      done(null, chunk);
    },
  });
}

/**
 * An HTTP proxy on loopback in front of a registry (counting-proxy.ts relays TCP instead, for
 * clients that must see the registry's own TLS) (plain or TLS, through `dispatcher`) that
 * streams every request and answer through and counts the blobs the registry serves: the
 * byte counter of one registry's links. It says it forwards (X-Forwarded-Host/Proto), so the
 * upload locations the registry answers point back at the proxy.
 */
export async function startCountingHttpProxy(
  target: string,
  dispatcher?: Dispatcher,
): Promise<CountingHttpProxy> {
  const servedBytes = new Map<string, number>();
  const servedCount = new Map<string, number>();
  const server = await serveOnLoopback(async (incoming, outgoing) => {
    const path = incoming.url ?? '/';
    const digest = incoming.method === 'GET' ? blobPath.exec(path.split('?')[0]!)?.[1] : undefined;
    const { host, connection: _connection, ...headers } = incoming.headers;
    const reply = await request(`${target}${path}`, {
      method: incoming.method as Dispatcher.HttpMethod,
      headers: { ...headers, 'x-forwarded-host': host ?? '', 'x-forwarded-proto': 'http' },
      body: ['GET', 'HEAD'].includes(incoming.method ?? 'GET') ? null : incoming,
      ...(dispatcher ? { dispatcher } : {}),
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
    const { connection: _c, 'transfer-encoding': _t, 'keep-alive': _k, ...replyHeaders } = reply.headers;
    outgoing.writeHead(reply.statusCode, replyHeaders as Record<string, string | string[]>);
    if (digest && reply.statusCode === 200) {
      servedCount.set(digest, (servedCount.get(digest) ?? 0) + 1);
      await pipeline(
        reply.body,
        counting((bytes) => servedBytes.set(digest, (servedBytes.get(digest) ?? 0) + bytes)),
        outgoing,
      );
    } else await pipeline(reply.body, outgoing);
  });
  return {
    url: server.url,
    servedBytes,
    servedCount,
    stop: () => server.stop(),
  };
}
