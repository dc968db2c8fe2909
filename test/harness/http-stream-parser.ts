/** How a message's body is delimited (RFC 9112 §6). */
export type BodyFraming = { length: number } | 'chunked' | 'until close';

export interface MessageHead {
  /** `GET /v2/ HTTP/1.1` or `HTTP/1.1 200 OK`. */
  startLine: string;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: Record<string, string>;
}

/**
 * Reads HTTP/1.1 messages from one direction of a connection as its bytes pass by, without
 * holding bodies: `onHead` says how the body of each message is framed, `onBody` gets the count of
 * body bytes (chunk framing excluded) as they pass, `onEnd` closes each message.
 */
export class HttpStreamParser {
  private buffer: Buffer = Buffer.alloc(0);
  private state: 'head' | 'length' | 'chunk size' | 'chunk data' | 'chunk end' | 'trailer' | 'until close' =
    'head';
  private remaining = 0;

  constructor(
    private readonly onHead: (head: MessageHead) => BodyFraming | undefined,
    private readonly onBody: (bytes: number) => void,
    private readonly onEnd: () => void,
  ) {}

  push(data: Buffer): void {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    for (;;) {
      if (this.state === 'until close') {
        if (this.buffer.length > 0) this.onBody(this.buffer.length);
        this.buffer = Buffer.alloc(0);
        return;
      }
      if (this.state === 'length' || this.state === 'chunk data') {
        const taken = Math.min(this.remaining, this.buffer.length);
        if (taken > 0) this.onBody(taken);
        this.remaining -= taken;
        this.buffer = this.buffer.subarray(taken);
        if (this.remaining > 0) return;
        if (this.state === 'length') this.end();
        else this.state = 'chunk end';
        continue;
      }
      const lineEnd = this.buffer.indexOf('\r\n');
      if (this.state === 'head') {
        const headEnd = this.buffer.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const [startLine = '', ...lines] = this.buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
        this.buffer = this.buffer.subarray(headEnd + 4);
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const framing = this.onHead({ startLine, headers });
        if (framing === undefined || (typeof framing === 'object' && framing.length === 0)) this.end();
        else if (framing === 'chunked') this.state = 'chunk size';
        else if (framing === 'until close') this.state = 'until close';
        else {
          this.state = 'length';
          this.remaining = framing.length;
        }
        continue;
      }
      if (lineEnd < 0) return;
      const line = this.buffer.subarray(0, lineEnd).toString('latin1');
      this.buffer = this.buffer.subarray(lineEnd + 2);
      if (this.state === 'chunk size') {
        const size = Number.parseInt(line.split(';')[0]!.trim(), 16);
        if (Number.isNaN(size)) throw new Error(`not a chunk size: ${line}`);
        if (size === 0) this.state = 'trailer';
        else {
          this.state = 'chunk data';
          this.remaining = size;
        }
      } else if (this.state === 'chunk end') {
        this.state = 'chunk size';
      } else if (line === '') {
        // The empty line that ends the trailer section ends the message.
        this.end();
      }
    }
  }

  private end(): void {
    this.state = 'head';
    this.onEnd();
  }
}

/** How a message with these headers frames its body, when it may have one. */
export function framingOf(headers: Record<string, string>, untilClose: boolean): BodyFraming | undefined {
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) return 'chunked';
  if (headers['content-length'] !== undefined) return { length: Number(headers['content-length']) };
  return untilClose ? 'until close' : undefined;
}
