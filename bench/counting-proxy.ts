import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

export interface CountingProxy {
  url: string;
  host: string;
  /** Bytes the upstream (HQ) sent through the proxy, and request lines seen. */
  counts: { bytesFromUpstream: number; requests: number };
  reset(): void;
  stop(): Promise<void>;
}

const requestLine = /(?:^|\r\n)(?:GET|HEAD|POST|PUT|PATCH|DELETE) \/v2\//g;

/** A TCP proxy in front of HQ counting its egress, whichever tool reads through it. */
export async function startCountingProxy(target: { host: string; port: number }): Promise<CountingProxy> {
  const counts = { bytesFromUpstream: 0, requests: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    client.on('data', (data: Buffer) => {
      counts.requests += (data.toString('latin1').match(requestLine) ?? []).length;
      if (!upstream.write(data)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (data: Buffer) => {
      counts.bytesFromUpstream += data.length;
      if (!client.write(data)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    host: `127.0.0.1:${address.port}`,
    counts,
    reset: () => {
      counts.bytesFromUpstream = 0;
      counts.requests = 0;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
