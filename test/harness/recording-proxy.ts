import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { request } from 'undici';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The status the target answered. */
  status: number;
}

export interface RecordingProxy {
  /** http://127.0.0.1:PORT; requests to it go on to the target. */
  url: string;
  readonly requests: readonly RecordedRequest[];
  stop(): Promise<void>;
}

/** An HTTP proxy that forwards every request to `target` and records it with the target's answer. */
export async function startRecordingProxy(target: () => string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const { host: _host, connection: _connection, ...headers } = incoming.headers;
    try {
      const reply = await request(`${target()}${incoming.url}`, {
        method: incoming.method as 'POST',
        headers,
        body,
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      const answer = Buffer.from(await reply.body.arrayBuffer());
      requests.push({
        method: incoming.method!,
        path: incoming.url!,
        headers: incoming.headers,
        body,
        status: reply.statusCode,
      });
      outgoing.writeHead(reply.statusCode, {
        'content-type': String(reply.headers['content-type'] ?? 'text/plain'),
      });
      outgoing.end(answer);
    } catch {
      requests.push({
        method: incoming.method!,
        path: incoming.url!,
        headers: incoming.headers,
        body,
        status: 502,
      });
      outgoing.writeHead(502).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
