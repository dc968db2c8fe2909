import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Server, Socket } from 'node:net';

/** Listens on a loopback port the server binds itself (port 0) and returns that port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the server has no address');
  return address.port;
}

/**
 * Tracks a proxied connection's two sockets as one: either closing or failing closes both; with
 * `delayMs` (a proxy relaying that late) the other is ended that much later, after the bytes on their way.
 */
export function pairSockets(sockets: Set<Socket>, client: Socket, upstream: Socket, delayMs = 0): void {
  sockets.add(client).add(upstream);
  const close = () => {
    client.destroy();
    upstream.destroy();
    sockets.delete(client);
    sockets.delete(upstream);
  };
  if (!delayMs) {
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
    return;
  }
  for (const [socket, other] of [
    [client, upstream],
    [upstream, client],
  ] as const)
    socket
      .on('close', () => {
        sockets.delete(socket);
        setTimeout(() => other.end(), delayMs);
      })
      .on('error', () => socket.destroy());
}

export interface LoopbackServer {
  /** http://127.0.0.1:PORT */
  url: string;
  stop(): Promise<void>;
}

/**
 * An HTTP server on a free loopback port answering with `answer`; an answer that throws ends
 * with a 502 (or a cut body, once the headers are out), as a proxy whose target failed would.
 */
export async function serveOnLoopback(
  answer: (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void>,
): Promise<LoopbackServer> {
  const server = createServer((incoming, outgoing) => {
    answer(incoming, outgoing).catch(() => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
