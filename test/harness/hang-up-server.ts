import { once } from 'node:events';
import { createServer } from 'node:net';

export interface HangUpServer {
  port: number;
  stop(): Promise<void>;
}

/**
 * A loopback port this process holds, closing every connection at once: an address where nothing
 * answers, which no other process can take while a test relies on it being dead.
 */
export async function startHangUpServer(): Promise<HangUpServer> {
  const server = createServer((socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return {
    port: address.port,
    stop: async () => {
      server.close();
      await once(server, 'close');
    },
  };
}
