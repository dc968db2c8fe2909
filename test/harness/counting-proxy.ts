import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { framingOf, HttpStreamParser } from './http-stream-parser.js';
import { listenOnLoopback, pairSockets } from './loopback-server.js';

export interface CountingProxyOptions {
  target: { host: string; port: number };
  /**
   * Speak TLS on both sides: to clients with this certificate, to the target trusting `caPem`.
   * The proxy then sees the HTTP it counts; without it, it relays plain HTTP.
   */
  tls?: { certFile: string; keyFile: string; caPem: string };
  /**
   * Holds what passes, each way, this long before relaying it: the target then sits a round trip
   * of twice this away, as a registry in another datacenter does (the benches' distant sites).
   */
  delayMs?: number;
}

export interface ProxyCounts {
  /** Every byte the target sent through the proxy, headers and framing included. */
  bytesFromUpstream: number;
  /** Requests seen. */
  requests: number;
  /** Body bytes of blob GETs the target answered 200, by digest. */
  blobBytes: Map<string, number>;
  /** Blob GETs the target answered 200, by digest: how often a link carried each blob. */
  blobGets: Map<string, number>;
}

export interface CountingProxy {
  /** http(s)://127.0.0.1:PORT, in front of the target: register this URL in Regatta. */
  url: string;
  host: string;
  counts: ProxyCounts;
  reset(): void;
  stop(): Promise<void>;
}

const blobPath = /^\/v2\/.+\/blobs\/(sha256:[0-9a-f]{64})$/;

/**
 * A TCP proxy in front of a registry that counts what it serves, independently of whatever reads
 * through it: raw bytes, and, reading the HTTP/1.1 exchange as it passes, each blob the registry
 * served and its body bytes: the byte counter of one registry's links. Requests pass unchanged
 * (their `Host` the proxy's), so the upload locations the registry answers point back at it.
 */
export async function startCountingProxy(options: CountingProxyOptions): Promise<CountingProxy> {
  const counts: ProxyCounts = {
    bytesFromUpstream: 0,
    requests: 0,
    blobBytes: new Map(),
    blobGets: new Map(),
  };
  const sockets = new Set<Socket>();
  const tls = options.tls;

  const relay = (client: Socket) => {
    const upstream = tls
      ? tlsConnect({ ...options.target, ca: tls.caPem, servername: 'localhost' })
      : createConnection(options.target);
    pairSockets(sockets, client, upstream, options.delayMs);
    /** The requests on this connection whose responses have not ended, oldest first. */
    const pending: Array<{ method: string; path: string }> = [];
    let blob: string | undefined;
    const requests = new HttpStreamParser(
      ({ startLine, headers }) => {
        const [method = '', path = ''] = startLine.split(' ');
        pending.push({ method, path: path.split('?')[0]! });
        counts.requests++;
        return framingOf(headers, false);
      },
      () => undefined,
      () => undefined,
    );
    const responses = new HttpStreamParser(
      ({ startLine, headers }) => {
        const status = Number(startLine.split(' ')[1]);
        if (status >= 100 && status < 200) return undefined;
        const request = pending[0];
        const digest =
          request?.method === 'GET' && status === 200 ? blobPath.exec(request.path)?.[1] : undefined;
        blob = digest;
        if (digest) counts.blobGets.set(digest, (counts.blobGets.get(digest) ?? 0) + 1);
        if (request?.method === 'HEAD' || status === 204 || status === 304) return undefined;
        return framingOf(headers, true);
      },
      (bytes) => {
        if (blob) counts.blobBytes.set(blob, (counts.blobBytes.get(blob) ?? 0) + bytes);
      },
      () => {
        pending.shift();
        blob = undefined;
      },
    );
    client.on('data', (data: Buffer) => {
      requests.push(data);
      relayed(data, client, upstream);
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (data: Buffer) => {
      counts.bytesFromUpstream += data.length;
      responses.push(data);
      relayed(data, upstream, client);
    });
    client.on('drain', () => upstream.resume());
  };

  /** Relays at once, or after the delay (timers of one delay fire in order); a full `to` pauses `from`. */
  const relayed = (data: Buffer, from: Socket, to: Socket) => {
    const send = () => {
      if (!to.destroyed && !to.write(data)) from.pause();
    };
    if (options.delayMs) setTimeout(send, options.delayMs);
    else send();
  };

  const server: Server = tls
    ? createTlsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, relay)
    : createServer(relay);
  const port = await listenOnLoopback(server);
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    counts,
    reset: () => {
      counts.bytesFromUpstream = 0;
      counts.requests = 0;
      counts.blobBytes.clear();
      counts.blobGets.clear();
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
