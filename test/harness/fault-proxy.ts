import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What a proxy does to a request its rule matches. */
export type Fault =
  /** Forwards it, then cuts the connection once `afterBytes` of the response's body went through. */
  | { kind: 'cut-download'; afterBytes: number }
  /** Forwards it, and cuts the connection once the matching uploads' bodies reach `afterBytes` in all. */
  | { kind: 'cut-upload'; afterBytes: number }
  /** Takes the request and never answers (nor reads the rest of it): a hung registry. */
  | { kind: 'hang' }
  /** Answers `status` in the registry's place (429 with a Retry-After, a 5xx). */
  | { kind: 'refuse'; status: number; retryAfterSeconds?: number };

export interface FaultRule {
  method?: string;
  /** Matches the request's path (with its query). */
  path?: RegExp;
  fault: Fault;
  /**
   * How often it applies before it is spent, unlimited when unset: connections cut for the cut
   * faults (a matching request that passes whole costs nothing), requests for the others.
   */
  times?: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  /** When it came (Date.now()). */
  at: number;
  /** The status sent back, or 0 when the connection was cut or hung. */
  status: number;
  bytesUp: number;
  bytesDown: number;
  /** The request's Content-Range: where a chunk of an upload starts and ends. */
  range?: string;
  /** The fault the proxy made of it, if it made one. */
  fault?: Fault['kind'];
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT, in front of the target registry (plain HTTP). */
  url: string;
  /** Every request, with the body bytes it carried each way. */
  readonly requests: readonly ProxiedRequest[];
  /** Faults, tried in order; the first that matches applies. */
  rules: FaultRule[];
  /** Rewrites each path on its way to the target (a smaller page size, ...). */
  rewrite: ((path: string) => string) | undefined;
  /** Body bytes sent towards the target by the requests `match` selects. */
  bytesUp(match?: (request: ProxiedRequest) => boolean): number;
  /** Body bytes sent back by the target to the requests `match` selects. */
  bytesDown(match?: (request: ProxiedRequest) => boolean): number;
  stop(): Promise<void>;
}

const sum = (requests: readonly ProxiedRequest[], pick: (request: ProxiedRequest) => number) =>
  requests.reduce((total, request) => total + pick(request), 0);

/**
 * An HTTP proxy on loopback in front of a registry, streaming both ways and counting the bytes of
 * every body, that makes the faults a test asks for: a connection cut at a given byte of a blob
 * (downloads or uploads), a registry that takes requests and never answers, 429 storms with
 * Retry-After, 5xx. The Host header is passed on as the client sent it, so the Locations a
 * registry hands out point back at the proxy.
 */
export async function startFaultProxy(target: { url: string }): Promise<FaultProxy> {
  const upstream = new URL(target.url);
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const uploadCuts = new Map<FaultRule, number>();

  const spent = (rule: FaultRule) => rule.times !== undefined && rule.times <= 0;
  /** Counts one use of `rule`, marking `record` with its fault. */
  const apply = (rule: FaultRule, record: ProxiedRequest) => {
    if (rule.times !== undefined) rule.times--;
    record.fault = rule.fault.kind;
  };
  const isCut = (rule: FaultRule) => rule.fault.kind === 'cut-download' || rule.fault.kind === 'cut-upload';

  const ruleFor = (method: string, path: string): FaultRule | undefined =>
    proxy.rules.find(
      (candidate) =>
        !spent(candidate) &&
        (candidate.method === undefined || candidate.method === method) &&
        (candidate.path === undefined || candidate.path.test(path)),
    );

  const forward = (
    incoming: IncomingMessage,
    outgoing: ServerResponse,
    record: ProxiedRequest,
    rule?: FaultRule,
  ) => {
    const cut = () => {
      record.status = 0;
      outgoing.socket?.destroy();
      upstreamRequest.destroy();
    };
    const upstreamRequest = request({
      host: upstream.hostname,
      port: upstream.port,
      method: incoming.method,
      path: proxy.rewrite ? proxy.rewrite(incoming.url ?? '/') : incoming.url,
      headers: incoming.headers,
    });
    upstreamRequest.on('error', () => outgoing.socket?.destroy());
    incoming.on('data', (chunk: Buffer) => {
      const piece = chunk;
      if (rule?.fault.kind === 'cut-upload' && !spent(rule)) {
        const left = uploadCuts.get(rule) ?? rule.fault.afterBytes;
        if (piece.length >= left) {
          uploadCuts.set(rule, 0);
          apply(rule, record);
          record.bytesUp += left;
          upstreamRequest.write(piece.subarray(0, left), cut);
          incoming.pause();
          return;
        }
        uploadCuts.set(rule, left - piece.length);
      }
      record.bytesUp += piece.length;
      if (!upstreamRequest.write(piece)) {
        incoming.pause();
        upstreamRequest.once('drain', () => incoming.resume());
      }
    });
    incoming.on('end', () => upstreamRequest.end());
    upstreamRequest.on('response', (answer) => {
      record.status = answer.statusCode ?? 0;
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      let left = rule?.fault.kind === 'cut-download' ? rule.fault.afterBytes : Infinity;
      answer.on('data', (chunk: Buffer) => {
        if (chunk.length >= left && !spent(rule!)) {
          apply(rule!, record);
          record.bytesDown += left;
          outgoing.write(chunk.subarray(0, left), cut);
          answer.destroy();
          return;
        }
        left -= chunk.length;
        record.bytesDown += chunk.length;
        if (!outgoing.write(chunk)) {
          answer.pause();
          outgoing.once('drain', () => answer.resume());
        }
      });
      answer.on('end', () => outgoing.end());
      answer.on('error', () => outgoing.socket?.destroy());
    });
  };

  const server = createServer((incoming, outgoing) => {
    const method = incoming.method ?? 'GET';
    const path = incoming.url ?? '/';
    const rule = ruleFor(method, path);
    const range = incoming.headers['content-range'];
    const record: ProxiedRequest = {
      method,
      path,
      at: Date.now(),
      status: 0,
      bytesUp: 0,
      bytesDown: 0,
      ...(range ? { range } : {}),
    };
    requests.push(record);
    // A cut is counted when it is made; the other faults as they are met.
    if (rule && !isCut(rule)) apply(rule, record);
    const fault = rule?.fault;
    if (fault?.kind === 'hang') {
      incoming.pause();
      return;
    }
    if (fault?.kind === 'refuse') {
      incoming.resume();
      record.status = fault.status;
      outgoing.writeHead(fault.status, {
        'content-type': 'application/json',
        ...(fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}),
      });
      const code = fault.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE';
      outgoing.end(JSON.stringify({ errors: [{ code, message: 'refused by the fault proxy' }] }));
      return;
    }
    forward(incoming, outgoing, record, rule);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };

  const proxy: FaultProxy = {
    url: `http://127.0.0.1:${port}`,
    requests,
    rules: [],
    rewrite: undefined,
    bytesUp: (match = () => true) => sum(requests.filter(match), (request) => request.bytesUp),
    bytesDown: (match = () => true) => sum(requests.filter(match), (request) => request.bytesDown),
    async stop() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  return proxy;
}
