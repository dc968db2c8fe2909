import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TestCertificates } from './certificates.js';

/** One request a capturing server received. */
export interface CapturedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  headers: IncomingHttpHeaders;
  /** The body as received (up to 1 MiB), when the server keeps bodies. */
  body?: string;
}

export interface CapturingServer {
  /** http(s)://HOST:PORT (HOST 127.0.0.1 unless asked) */
  url: string;
  requests: CapturedRequest[];
  /** Every Authorization header received, decoded when Basic (`user:password`). */
  credentials(): string[];
  stop(): Promise<void>;
}

export type Responder = (request: IncomingMessage, response: ServerResponse) => void;

/** A registry's `GET /v2/` that wants Basic: 401 without Authorization, 200 with any. */
export const basicRegistry: Responder = (request, response) => {
  if (!request.headers.authorization) {
    response.writeHead(401, { 'www-authenticate': 'Basic realm="capture"' }).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
};

/** What a capturing server keeps of a request body. */
const maxKeptBody = 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<string> {
  const pieces: Buffer[] = [];
  let kept = 0;
  for await (const piece of request as AsyncIterable<Buffer>) {
    if (kept < maxKeptBody) pieces.push(piece.subarray(0, maxKeptBody - kept));
    kept += piece.length;
  }
  return Buffer.concat(pieces).toString('utf8');
}

/**
 * An HTTP (or, with `tls`, HTTPS) server on loopback that records the Authorization header (and
 * every header) of every request before `respond` answers it: where a test asks whether a
 * credential leaked. With `bodies`, it reads and keeps each body before answering (a webhook
 * receiver's view); `port` listens on a given port (a receiver coming back where it was).
 */
export async function startCapturingServer(
  options: {
    respond?: Responder;
    tls?: TestCertificates;
    host?: string;
    bodies?: boolean;
    port?: number;
  } = {},
): Promise<CapturingServer> {
  const host = options.host ?? '127.0.0.1';
  const requests: CapturedRequest[] = [];
  const respond = options.respond ?? basicRegistry;
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const captured: CapturedRequest = {
      method: request.method ?? '',
      path: request.url ?? '',
      authorization: request.headers.authorization,
      headers: request.headers,
    };
    if (!options.bodies) {
      requests.push(captured);
      respond(request, response);
      return;
    }
    readBody(request).then(
      (body) => {
        requests.push({ ...captured, body });
        respond(request, response);
      },
      () => response.destroy(),
    );
  };
  const server = options.tls
    ? createHttpsServer(
        { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) },
        handler,
      )
    : createHttpServer(handler);
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('capturing server has no address');
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}`,
    requests,
    credentials: () =>
      requests.flatMap(({ authorization }) => {
        if (!authorization) return [];
        if (!authorization.startsWith('Basic ')) return [authorization];
        return [Buffer.from(authorization.slice(6), 'base64').toString('utf8')];
      }),
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * Answers `status` with a body of `bytes` zeros, streamed in 64 KiB pieces as the client reads
 * them (never allocated whole); resolves how many bytes the client took before it hung up.
 */
export function sendHugeBody(response: ServerResponse, status: number, bytes: number): Promise<number> {
  const piece = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  // No Content-Length: the client cannot tell the size before it reads.
  response.writeHead(status, { 'content-type': 'application/json' });
  return new Promise((resolve) => {
    const done = () => resolve(sent);
    response.on('close', done);
    const pump = () => {
      while (sent < bytes && !response.destroyed) {
        const size = Math.min(piece.length, bytes - sent);
        sent += size;
        if (!response.write(piece.subarray(0, size))) return void response.once('drain', pump);
      }
      if (sent >= bytes) response.end();
    };
    pump();
  });
}
