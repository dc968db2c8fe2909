import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

// What the test bed's HTTP proxies share: a request read whole, and its headers minus hop-by-hop ones.

export async function readBody(message: IncomingMessage): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of message) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

/** The headers to send on: the next hop sets its own host, length and connection. */
export function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (!hopByHop.has(name) && value !== undefined) forwarded[name] = String(value);
  return forwarded;
}
