import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { listenOnLoopback, pairSockets } from './loopback-server.js';

export interface DroppingProxy {
  /** http://127.0.0.1:PORT, in front of the target registry. */
  url: string;
  /** Connections cut so far. */
  drops: number;
  /**
   * Cuts the connection carrying the `nth` PATCH request from now on, after forwarding its
   * header and `afterBodyBytes` bytes of its body.
   */
  dropPatch(nth: number, afterBodyBytes: number): void;
  stop(): Promise<void>;
}

/** A TCP proxy on loopback that forwards to `target` and can drop a connection mid-upload. */
export async function startDroppingProxy(target: { host: string; port: number }): Promise<DroppingProxy> {
  let plan: { remaining: number; afterBodyBytes: number } | undefined;
  const sockets = new Set<Socket>();
  const proxy: DroppingProxy = {
    url: '',
    drops: 0,
    dropPatch: (nth, afterBodyBytes) => {
      plan = { remaining: nth, afterBodyBytes };
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };

  const server = createServer((client) => {
    const upstream = createConnection(target);
    pairSockets(sockets, client, upstream);
    // Once the doomed PATCH is seen: body bytes still to forward before the cut.
    let budget: number | undefined;
    let dropped = false;
    const cut = (forward: Buffer) => {
      dropped = true;
      upstream.write(forward, () => {
        upstream.destroy();
        client.destroy();
      });
      proxy.drops++;
    };
    client.on('data', (data: Buffer) => {
      if (dropped) return;
      if (budget !== undefined) {
        if (data.length < budget) {
          budget -= data.length;
          upstream.write(data);
        } else cut(data.subarray(0, budget));
        return;
      }
      const at = plan ? data.indexOf('PATCH /v2/') : -1;
      if (plan && at >= 0 && --plan.remaining === 0) {
        const headEnd = data.indexOf('\r\n\r\n', at);
        const bodyStart = headEnd >= 0 ? headEnd + 4 : data.length;
        budget = plan.afterBodyBytes;
        plan = undefined;
        const available = data.length - bodyStart;
        if (available < budget) {
          budget -= available;
          upstream.write(data);
        } else cut(data.subarray(0, bodyStart + budget));
        return;
      }
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => client.write(data));
  });
  proxy.url = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  return proxy;
}
