import type { Dispatcher } from 'undici';
import { repositoryScope } from './authenticator.js';
import { BlobUploadInvalidError, DigestMismatchError, RegistryNetworkError } from './errors.js';
import { PieceChannel } from './piece-channel.js';
import { header } from './response-body.js';
import type { Transport } from './transport.js';

/** Where an open upload session stands: resume it by writing from `offset` to `location`. */
export interface UploadState {
  location: string;
  offset: number;
}

export interface BlobWriterOptions {
  /** Upload in PATCH chunks of this many bytes (resumable); unset streams one monolithic PUT. */
  chunkSize?: number | undefined;
  signal?: AbortSignal | undefined;
  /** How many times one chunk may resume after a dropped connection. */
  maxResumes?: number;
  /**
   * The registry holds this many bytes of the blob in the session already (an upload resumed by a
   * later attempt): the first `offset` bytes written are counted, not sent. Chunked uploads only.
   */
  offset?: number | undefined;
  /** After each chunk the registry acknowledged: where the upload would resume. */
  onCheckpoint?: ((state: UploadState) => void) | undefined;
  /** Bytes the connection took, as it takes them: progress for stall detection. */
  onProgress?: ((bytes: number) => void) | undefined;
}

/** Pieces of a chunk as the request body takes them, so progress shows while a chunk is sent. */
const bodySlice = 64 * 1024;

/**
 * The registry's view of an upload session (OCI: GET the location, `Range: 0-<last>`), or
 * undefined when it no longer has the session (it expired, or a dropped chunk invalidated it).
 */
export async function uploadStatus(
  transport: Transport,
  repository: string,
  location: string,
  signal?: AbortSignal,
): Promise<UploadState | undefined> {
  const response = await transport.send({
    method: 'GET',
    url: location,
    scopes: [repositoryScope(repository, 'pull,push')],
    expect: [204, 400, 404],
    context: { repository },
    what: `status of an upload to ${repository}`,
    signal,
  });
  await response.body.dump();
  if (response.statusCode !== 204) return undefined;
  const next = header(response, 'location');
  const range = /^(?:bytes=)?0-(\d+)$/.exec(header(response, 'range') ?? '');
  const last = range ? Number(range[1]) : 0;
  return {
    location: next ? new URL(next, transport.origin).toString() : location,
    // Distribution answers `0-0` for an empty session as well as for one byte; chunks are larger.
    offset: last === 0 ? 0 : last + 1,
  };
}

/**
 * Writes one blob into an upload session the registry opened. Pieces go out as they come; the
 * blob is committed (PUT `?digest=`) only by `commit()`, which the caller calls once it has
 * verified the digest, so an aborted writer never leaves the blob behind.
 */
export class BlobWriter {
  /** Bytes of the blob accounted for: sent, or held by the registry from an earlier attempt. */
  bytesSent = 0;
  /** Bytes this writer sent itself. */
  bytesUploaded = 0;
  private location: string;
  private readonly scopes: string[];
  private readonly channel: PieceChannel | undefined;
  private readonly monolithic: Promise<Dispatcher.ResponseData> | undefined;
  private parts: Buffer[] = [];
  private partsLength = 0;
  private offset: number;
  private skip: number;

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
    this.offset = options.chunkSize ? (options.offset ?? 0) : 0;
    this.skip = this.offset;
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

  /** Whether an interrupted upload can go on later from where the registry stands. */
  get resumable(): boolean {
    return this.channel === undefined && this.offset > 0;
  }

  async write(piece: Buffer): Promise<void> {
    if (this.skip > 0) {
      // Already at the registry (a resumed upload): counted, not sent again.
      const skipped = Math.min(this.skip, piece.length);
      this.skip -= skipped;
      this.bytesSent += skipped;
      if (skipped === piece.length) return;
      piece = piece.subarray(skipped);
    }
    this.bytesSent += piece.length;
    if (this.channel) {
      await this.channel.push(piece);
      this.bytesUploaded += piece.length;
      this.options.onProgress?.(piece.length);
      return;
    }
    this.parts.push(piece);
    this.partsLength += piece.length;
    const chunkSize = this.options.chunkSize!;
    while (this.partsLength >= chunkSize) await this.patch(this.takeParts(chunkSize));
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
      if (this.partsLength > 0) await this.patch(this.takeParts(this.partsLength));
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

  /**
   * Stops the upload; never throws. With `keepSession` a chunked upload the registry holds part
   * of is left open, so a later attempt resumes it from its last checkpoint; otherwise the
   * registry is asked to drop the session.
   */
  async abort(reason: unknown = new Error('upload aborted'), { keepSession = false } = {}): Promise<void> {
    this.channel?.fail(reason);
    await this.monolithic?.then((response) => response.body.dump()).catch(() => undefined);
    this.parts = [];
    this.partsLength = 0;
    if (keepSession && this.resumable) return;
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

  /** The first `length` bytes held, as parts (no copy into one buffer); the rest stays held. */
  private takeParts(length: number): Buffer[] {
    const taken: Buffer[] = [];
    let needed = length;
    while (needed > 0) {
      const part = this.parts.shift()!;
      if (part.length <= needed) {
        taken.push(part);
        needed -= part.length;
      } else {
        taken.push(part.subarray(0, needed));
        this.parts.unshift(part.subarray(needed));
        needed = 0;
      }
    }
    this.partsLength -= length;
    return taken;
  }

  /**
   * Sends one chunk. When the connection drops, the registry is asked how much it holds (GET on
   * the session) and the chunk resumes from there; the chunk stays in memory until acknowledged,
   * which is what lets a streamed blob resume without reading the source again.
   */
  private async patch(chunk: Buffer[]): Promise<void> {
    const start = this.offset;
    const length = chunk.reduce((sum, part) => sum + part.length, 0);
    let done = 0;
    for (let resume = 0; ; resume++) {
      try {
        const response = await this.transport.send({
          method: 'PATCH',
          url: this.location,
          scopes: this.scopes,
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${start + done}-${start + length - 1}`,
            'content-length': String(length - done),
          },
          body: this.slices(chunk, done),
          expect: [202],
          context: { repository: this.repository, digest: this.digest },
          what: `upload chunk of ${this.digest}`,
          signal: this.options.signal,
          retry: false,
        });
        await response.body.dump();
        this.follow(response);
        this.offset = start + length;
        this.options.onCheckpoint?.({ location: this.location, offset: this.offset });
        return;
      } catch (error) {
        const dropped = error instanceof RegistryNetworkError && !this.options.signal?.aborted;
        if (!dropped || resume >= (this.options.maxResumes ?? 3)) throw error;
        const status = await uploadStatus(
          this.transport,
          this.repository,
          this.location,
          this.options.signal,
        );
        const stored = status?.offset ?? -1;
        if (!status || stored < start || stored > start + length) {
          throw new BlobUploadInvalidError(
            `upload of ${this.digest} cannot resume: the registry ${status ? `holds ${stored} bytes` : 'dropped the session'}`,
            { registry: this.transport.registry, repository: this.repository, digest: this.digest },
          );
        }
        this.location = status.location;
        done = stored - start;
        if (done === length) {
          this.offset = stored;
          this.options.onCheckpoint?.({ location: this.location, offset: this.offset });
          return;
        }
      }
    }
  }

  /** The chunk from byte `from` on, in slices; each slice taken by the connection is progress. */
  private async *slices(chunk: Buffer[], from: number): AsyncGenerator<Buffer> {
    let skip = from;
    for (const part of chunk) {
      if (skip >= part.length) {
        skip -= part.length;
        continue;
      }
      for (let at = skip; at < part.length; at += bodySlice) {
        const slice = part.subarray(at, Math.min(part.length, at + bodySlice));
        yield slice;
        // Resumed: the connection took the slice.
        this.bytesUploaded += slice.length;
        this.options.onProgress?.(slice.length);
      }
      skip = 0;
    }
  }

  private follow(response: Dispatcher.ResponseData): void {
    const location = header(response, 'location');
    if (location) this.location = new URL(location, this.transport.origin).toString();
  }
}
