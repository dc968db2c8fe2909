import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { request } from 'undici';
import { forwardedHeaders, readBody } from './http-forwarding.js';
import { listenOnLoopback } from './loopback-server.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The status the target answered; 502 when there was no target yet or it could not be reached. */
  status: number;
  /** The body the target answered with (empty when it could not be reached). */
  answer: Buffer;
}

export interface RecordingProxy {
  /** http://127.0.0.1:PORT; requests to it go on to the target. */
  url: string;
  readonly requests: readonly RecordedRequest[];
  stop(): Promise<void>;
}

/**
 * An HTTP proxy that forwards every request to `target` and records it with the target's answer:
 * what a client (a registry delivering notifications) really saw. `target` is asked per request,
 * so the proxy can be bound before the server behind it (an API started after the registries
 * that notify it).
 */
export async function startRecordingProxy(target: () => string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const relay = async () => {
      const body = await readBody(incoming);
      const recorded: RecordedRequest = {
        method: incoming.method ?? 'GET',
        path: incoming.url ?? '/',
        headers: incoming.headers,
        body,
        status: 502,
        answer: Buffer.alloc(0),
      };
      try {
        const reply = await request(`${target()}${recorded.path}`, {
          method: recorded.method as 'POST',
          headers: forwardedHeaders(incoming.headers),
          body: body.length > 0 ? body : undefined,
          headersTimeout: 30_000,
          bodyTimeout: 30_000,
        });
        const answer = Buffer.from(await reply.body.arrayBuffer());
        recorded.status = reply.statusCode;
        recorded.answer = answer;
        const type = reply.headers['content-type'];
        outgoing.writeHead(reply.statusCode, type ? { 'content-type': String(type) } : {});
        outgoing.end(answer);
      } catch (error) {
        outgoing.writeHead(502).end(String(error));
      } finally {
        requests.push(recorded);
      }
    };
    void relay();
  });
  const port = await listenOnLoopback(server);
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
