import { once } from 'node:events';
import { createServer } from 'node:net';
import { listenOnLoopback } from './loopback-server.js';

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
  const port = await listenOnLoopback(server);
  return {
    port,
    stop: async () => {
      server.close();
      await once(server, 'close');
    },
  };
}
