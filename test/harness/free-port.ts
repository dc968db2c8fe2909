import { createServer } from 'node:net';

/**
 * A TCP port on loopback that was free a moment ago, for servers that cannot listen on port 0:
 * another process may take it first, so the caller checks its own server holds it (listening-ports.ts)
 * and tries another port if not.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
