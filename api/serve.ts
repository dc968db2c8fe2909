import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface RunningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** How long `close` lets requests in flight finish before it cuts their connections. */
const drainMs = 10_000;

/**
 * Listens and resolves once the port is bound. `close` stops accepting, lets requests in flight
 * finish (a webhook delivery may be waiting for Temporal, whose connection the caller closes
 * next), then ends every connection, keep-alive ones included.
 */
export async function serve(app: Express, port: number, host = '0.0.0.0'): Promise<RunningServer> {
  const server = app.listen(port, host);
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
