import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface RunningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** A certificate chain and its private key, PEM. */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** How long `close` lets requests in flight finish before it cuts their connections. */
const drainMs = 10_000;
/**
 * How long a client has to send its headers, and its whole request: a client that trickles a
 * request in keeps a connection and its buffers no longer than this. Bodies are at most 1 MiB.
 */
const headersTimeoutMs = 10_000;
const requestTimeoutMs = 30_000;

/**
 * Listens, over https when given `tls`, and resolves once the port is bound. `close` stops
 * accepting, lets requests in flight finish (a webhook delivery may be waiting for Temporal,
 * whose connection the caller closes next), then ends every connection, keep-alive ones included.
 */
export async function serve(
  app: Express,
  port: number,
  host = '0.0.0.0',
  tls?: TlsFiles,
): Promise<RunningServer> {
  const server: Server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key }, app)
    : createHttpServer(app);
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = requestTimeoutMs;
  server.listen(port, host);
  await once(server, 'listening');
  let inFlight = 0;
  let closing = false;
  server.on('request', (_request, response) => {
    inFlight++;
    response.once('close', () => {
      inFlight--;
      if (closing && inFlight === 0) server.closeAllConnections();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    async close() {
      closing = true;
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      if (inFlight === 0) server.closeAllConnections();
      const cut = setTimeout(() => server.closeAllConnections(), drainMs);
      try {
        await closed;
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
