import type { Dispatcher } from 'undici';
import { repositoryScope } from './authenticator.js';
import { BlobUploadInvalidError, DigestMismatchError, RegistryNetworkError } from './errors.js';
import { PieceChannel } from './piece-channel.js';
import type { Transport } from './transport.js';

export interface BlobWriterOptions {
  /** Upload in PATCH chunks of this many bytes (resumable); unset streams one monolithic PUT. */
  chunkSize?: number;
  signal?: AbortSignal;
  /** How many times one chunk may resume after a dropped connection. */
  maxResumes?: number;
}

function header(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Writes one blob into an upload session the registry opened. Pieces go out as they come; the
 * blob is committed (PUT `?digest=`) only by `commit()`, which the caller calls once it has
 * verified the digest, so an aborted writer never leaves the blob behind.
 */
export class BlobWriter {
  bytesSent = 0;
  private location: string;
  private readonly scopes: string[];
  private readonly channel: PieceChannel | undefined;
  private readonly monolithic: Promise<Dispatcher.ResponseData> | undefined;
  private parts: Buffer[] = [];
  private partsLength = 0;
  private offset = 0;

  constructor(
    private readonly transport: Transport,
    private readonly repository: string,
    private readonly digest: string,
    private readonly size: number,
    location: string,
    private readonly options: BlobWriterOptions = {},
  ) {
    this.location = location;
    this.scopes = [repositoryScope(repository, 'pull,push')];
    if (!options.chunkSize) {
      this.channel = new PieceChannel();
      this.monolithic = this.transport.send({
        method: 'PUT',
        url: this.withDigest(),
        scopes: this.scopes,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
        body: this.channel,
        expect: [201],
        context: { repository, digest },
        what: `upload blob ${digest}`,
        signal: options.signal,
      });
      // The request's failure reaches the producer through the channel.
      this.monolithic.catch((error: unknown) => this.channel?.fail(error));
    }
  }

  async write(piece: Buffer): Promise<void> {
    this.bytesSent += piece.length;
    if (this.channel) return this.channel.push(piece);
    this.parts.push(piece);
    this.partsLength += piece.length;
    const chunkSize = this.options.chunkSize!;
    while (this.partsLength >= chunkSize) {
      const all = Buffer.concat(this.parts, this.partsLength);
      this.parts = all.length > chunkSize ? [all.subarray(chunkSize)] : [];
      this.partsLength = all.length - chunkSize;
      await this.patch(all.subarray(0, chunkSize));
    }
  }

  /** Commits the blob; call only after its bytes were verified against the digest. */
  async commit(): Promise<void> {
    if (this.bytesSent !== this.size) {
      throw new DigestMismatchError(`blob ${this.digest}: wrote ${this.bytesSent} of ${this.size} bytes`, {
        registry: this.transport.registry,
        repository: this.repository,
        digest: this.digest,
      });
    }
    let response: Dispatcher.ResponseData;
    if (this.channel && this.monolithic) {
      this.channel.end();
      response = await this.monolithic;
    } else {
      if (this.partsLength > 0) await this.patch(Buffer.concat(this.parts, this.partsLength));
      this.parts = [];
      response = await this.transport.send({
        method: 'PUT',
        url: this.withDigest(),
        scopes: this.scopes,
        headers: { 'content-length': '0' },
        expect: [201],
        context: { repository: this.repository, digest: this.digest },
        what: `commit blob ${this.digest}`,
        signal: this.options.signal,
        retry: false,
      });
    }
    await response.body.dump();
    const stored = header(response, 'docker-content-digest');
    if (stored && stored !== this.digest) {
      throw new DigestMismatchError(`registry stored ${stored} for blob ${this.digest}`, {
        registry: this.transport.registry,
        repository: this.repository,
        digest: this.digest,
      });
    }
  }

  /** Stops the upload and asks the registry to drop the session; never throws. */
  async abort(reason: unknown = new Error('upload aborted')): Promise<void> {
    this.channel?.fail(reason);
    await this.monolithic?.then((response) => response.body.dump()).catch(() => undefined);
    this.parts = [];
    await this.transport
      .send({
        method: 'DELETE',
        url: this.location,
        scopes: this.scopes,
        expect: [204, 404],
        what: `cancel upload of ${this.digest}`,
        retry: false,
      })
      .then((response) => response.body.dump())
      .catch(() => undefined);
  }

  private withDigest(): string {
    const url = new URL(this.location, this.transport.origin);
    url.searchParams.set('digest', this.digest);
    return url.toString();
  }

  /**
   * Sends one chunk. When the connection drops, the registry is asked how much it holds (GET on
   * the session) and the chunk resumes from there; the chunk stays in memory until acknowledged,
   * which is what lets a streamed blob resume without reading the source again.
   */
  private async patch(chunk: Buffer): Promise<void> {
    const start = this.offset;
    let done = 0;
    for (let resume = 0; ; resume++) {
      const part = chunk.subarray(done);
      try {
        const response = await this.transport.send({
          method: 'PATCH',
          url: this.location,
          scopes: this.scopes,
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${start + done}-${start + chunk.length - 1}`,
            'content-length': String(part.length),
          },
          body: part,
          expect: [202],
          context: { repository: this.repository, digest: this.digest },
          what: `upload chunk of ${this.digest}`,
          signal: this.options.signal,
          retry: false,
        });
        await response.body.dump();
        this.follow(response);
        this.offset = start + chunk.length;
        return;
      } catch (error) {
        const dropped = error instanceof RegistryNetworkError && !this.options.signal?.aborted;
        if (!dropped || resume >= (this.options.maxResumes ?? 3)) throw error;
        const stored = await this.storedBytes();
        if (stored < start || stored > start + chunk.length) {
          throw new BlobUploadInvalidError(
            `upload of ${this.digest} resumed at unexpected offset ${stored}`,
            {
              registry: this.transport.registry,
              repository: this.repository,
              digest: this.digest,
            },
          );
        }
        done = stored - start;
        if (done === chunk.length) {
          this.offset = stored;
          return;
        }
      }
    }
  }

  /** The registry's view of the session: bytes stored so far (from `Range: 0-<last>`). */
  private async storedBytes(): Promise<number> {
    const response = await this.transport.send({
      method: 'GET',
      url: this.location,
      scopes: this.scopes,
      expect: [204],
      context: { repository: this.repository, digest: this.digest },
      what: `status of upload of ${this.digest}`,
      signal: this.options.signal,
    });
    await response.body.dump();
    this.follow(response);
    const range = /^(?:bytes=)?0-(\d+)$/.exec(header(response, 'range') ?? '');
    if (!range) return 0;
    const last = Number(range[1]);
    // Distribution answers `0-0` for an empty session as well as for one byte; chunks are larger.
    return last === 0 ? 0 : last + 1;
  }

  private follow(response: Dispatcher.ResponseData): void {
    const location = header(response, 'location');
    if (location) this.location = new URL(location, this.transport.origin).toString();
  }
}
