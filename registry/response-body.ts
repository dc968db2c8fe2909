import type { Dispatcher } from 'undici';
import { RegistryRequestError } from './errors.js';

/** One value of a response header. */
export function header(response: Pick<Dispatcher.ResponseData, 'headers'>, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads a response body fully, refusing more than `limit` bytes. */
export async function readBounded(
  response: Dispatcher.ResponseData,
  limit: number,
  registry: string,
  what = 'response',
): Promise<Buffer> {
  const declared = Number(header(response, 'content-length') ?? 0);
  const tooLarge = () =>
    new RegistryRequestError(`${what} larger than ${limit} bytes`, {
      registry,
      status: response.statusCode,
    });
  if (declared > limit) {
    await response.body.dump();
    throw tooLarge();
  }
  const pieces: Buffer[] = [];
  let total = 0;
  for await (const piece of response.body as AsyncIterable<Buffer>) {
    total += piece.length;
    if (total > limit) {
      response.body.destroy();
      throw tooLarge();
    }
    pieces.push(piece);
  }
  return Buffer.concat(pieces, total);
}

/**
 * The first `limit` bytes of a body as text; the rest is never read (the connection is closed
 * instead), so a registry cannot make Regatta hold or even download a huge error page.
 */
export async function readPrefix(response: Dispatcher.ResponseData, limit: number): Promise<string> {
  const pieces: Buffer[] = [];
  let total = 0;
  try {
    for await (const piece of response.body as AsyncIterable<Buffer>) {
      pieces.push(piece.subarray(0, limit - total));
      total += piece.length;
      if (total >= limit) break;
    }
  } catch {
    // A body cut short still says what it said so far.
  } finally {
    response.body.destroy();
  }
  return Buffer.concat(pieces).toString('utf8');
}
