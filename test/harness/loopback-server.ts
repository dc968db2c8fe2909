import { once } from 'node:events';
import type { Server, Socket } from 'node:net';

/** Listens on a loopback port the server binds itself (port 0) and returns that port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the server has no address');
  return address.port;
}

/** Tracks a proxied connection's two sockets as one: either closing or failing closes both. */
export function pairSockets(sockets: Set<Socket>, client: Socket, upstream: Socket): void {
  sockets.add(client).add(upstream);
  const close = () => {
    client.destroy();
    upstream.destroy();
    sockets.delete(client);
    sockets.delete(upstream);
  };
  client.on('close', close).on('error', close);
  upstream.on('close', close).on('error', close);
}
