import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenOnLoopback, pairSockets } from './loopback-server.js';

export interface ThrottlingProxy {
  /** http://127.0.0.1:PORT, in front of the target. */
  url: string;
  /** Bytes forwarded towards the target so far (uploads to a registry). */
  readonly bytesUp: number;
  stop(): Promise<void>;
}

/**
 * A TCP proxy on loopback that forwards to `target`, holding what is sent towards it to
 * `bytesPerSecond` across all connections: a slow site for races and stalls.
 */
export async function startThrottlingProxy(
  target: { host: string; port: number },
  bytesPerSecond: number,
): Promise<ThrottlingProxy> {
  const sockets = new Set<Socket>();
  let bytesUp = 0;
  // One budget for every connection: the site's link, not one connection's.
  let nextFree = Date.now();
  const throttle = () =>
    new Transform({
      transform(chunk: Buffer, _encoding, done: TransformCallback) {
        const now = Date.now();
        nextFree = Math.max(nextFree, now) + (chunk.length / bytesPerSecond) * 1000;
        bytesUp += chunk.length;
        void sleep(Math.max(0, nextFree - now)).then(() => done(null, chunk));
      },
    });
  const server = createServer((client) => {
    const upstream = createConnection(target);
    pairSockets(sockets, client, upstream);
    client.pipe(throttle()).pipe(upstream);
    upstream.pipe(client);
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    get bytesUp() {
      return bytesUp;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
