import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createConnection, type AddressInfo, type Socket } from 'node:net';
import { createServer } from 'node:tls';
import type { TestCertificates } from './certificates.js';

export interface MtlsProxy {
  /** 127.0.0.1:PORT, speaking TLS that requires a client certificate from the test CA. */
  address: string;
  /** TLS connections whose client certificate the proxy accepted. */
  accepted: number;
  stop(): Promise<void>;
}

/**
 * Mutual TLS in front of a plain gRPC server (the dev server speaks no TLS), as a Temporal
 * frontend with mTLS or a TLS-terminating load balancer does: HTTP/2 by ALPN, then bytes as they are.
 */
export async function startMtlsProxy(target: string, certificates: TestCertificates): Promise<MtlsProxy> {
  const [host = '127.0.0.1', port = ''] = target.split(':');
  const sockets = new Set<Socket>();
  const proxy: MtlsProxy = {
    address: '',
    accepted: 0,
    async stop() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  const server = createServer(
    {
      cert: readFileSync(certificates.certFile),
      key: readFileSync(certificates.keyFile),
      ca: certificates.caPem,
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (client) => {
      proxy.accepted++;
      const upstream = createConnection({ host, port: Number(port) });
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    },
  );
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  proxy.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
