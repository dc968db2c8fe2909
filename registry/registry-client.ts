import { createHash } from 'node:crypto';
import { Transform, pipeline, type Readable } from 'node:stream';
import { InvalidInputError } from '../errors/regatta-error.js';
import { catalogScope, repositoryScope } from './authenticator.js';
import { BlobLocations } from './blob-locations.js';
import { BlobWriter, uploadStatus, type BlobWriterOptions, type UploadState } from './blob-writer.js';
import { parseRegistryEndpoint, type RegistryEndpoint } from './endpoint.js';
import {
  DigestMismatchError,
  RegistryCatalogRefusedError,
  RegistryNotAllowedError,
  RegistryRequestError,
} from './errors.js';
import { uploadBlob } from './upload-blob.js';
import { pagedNames, type PageOptions } from './paged-names.js';
import { header, readBounded } from './response-body.js';
import {
  acceptedManifestTypes,
  manifestMediaTypes,
  parseManifest,
  type Descriptor,
  type ParsedManifest,
} from './manifest.js';
import { assertDigest, assertRepositoryName, parseReference, referrersTag } from '../oci/index.js';
import { Transport, type TransportOptions } from './transport.js';

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface Manifest extends ManifestHead {
  /** The bytes exactly as the registry served them; their sha256 is `digest`. */
  bytes: Buffer;
  parsed: ParsedManifest;
}

export interface RegistryStats {
  requests: number;
  /** Bytes of blob bodies read from this registry. */
  blobBytesRead: number;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
}

export interface HeadCallOptions extends CallOptions {
  /** How long the HEAD may take in all, its retries included: a registry slower than that fails it. */
  timeoutMs?: number | undefined;
}

export type UploadStart = { mounted: true } | { mounted: false; location: string };

export interface ListOptions extends PageOptions {
  /**
   * Continue after this name (OCI `last`: the last name an earlier listing received), so a
   * listing picked up again costs one request instead of reading from the start.
   */
  last?: string | undefined;
}

const defaultListPageSize = 1000;

function withPageSize(options: ListOptions): ListOptions & { pageSize: number } {
  return { ...options, pageSize: options.pageSize ?? defaultListPageSize };
}

/**
 * The transport as a listing sees it, its first request continued after `last`. pagedNames asks
 * for `<path>?n=<pageSize>` first and then follows the registry's own `Link`, which carries its
 * `last` on: only that first request needs it.
 */
function startingAfter(
  transport: Transport,
  path: string,
  paging: { pageSize: number },
  last: string | undefined,
): Transport {
  if (last === undefined) return transport;
  const first = `${path}?n=${paging.pageSize}`;
  const view = Object.create(transport) as Transport;
  view.send = (options) =>
    transport.send(
      options.url === first ? { ...options, url: `${first}&last=${encodeURIComponent(last)}` } : options,
    );
  return view;
}

const maxManifestBytes = 4 * 1024 * 1024;
const loopbackHost = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/;

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A client of one registry (OCI Distribution API), reusing its connections across calls. */
export class RegistryClient {
  readonly registry: string;
  readonly blobLocations = new BlobLocations();
  private readonly transport: Transport;
  private readonly singleNameNamespace: string | undefined;
  private blobBytesRead = 0;

  constructor(endpoint: RegistryEndpoint, options: TransportOptions = {}) {
    const parsed = parseRegistryEndpoint(endpoint);
    const url = new URL(parsed.url);
    // Plain HTTP is an explicit opt-in, except on loopback (as Docker does for localhost).
    if (url.protocol === 'http:' && !parsed.insecure && !loopbackHost.test(url.host)) {
      throw new InvalidInputError('plain HTTP needs insecure: true', 'insecure');
    }
    if (parsed.allow && !parsed.allow.mayReach(url.hostname)) {
      throw new RegistryNotAllowedError(`${url.host} is outside REGATTA_REGISTRY_ALLOW`, {
        registry: url.host,
      });
    }
    this.transport = new Transport(parsed, options);
    this.registry = this.transport.registry;
    this.singleNameNamespace = parsed.singleNameNamespace;
  }

  get stats(): RegistryStats {
    return { requests: this.transport.stats.requests, blobBytesRead: this.blobBytesRead };
  }

  /** `GET /v2/`: reachable, speaks the API, and the credentials work. */
  async ping(options: CallOptions = {}): Promise<void> {
    const response = await this.transport.send({
      method: 'GET',
      url: '/v2/',
      scopes: [],
      expect: [200],
      what: 'ping',
      signal: options.signal,
    });
    await response.body.dump();
  }

  /**
   * Repository names from `/v2/_catalog`, page by page; with `last`, those after it. A registry
   * that refuses to list them (401, 403 or 404, as Docker Hub does) fails with
   * REGISTRY_CATALOG_REFUSED.
   */
  async *listRepositories(options: ListOptions = {}): AsyncIterable<string[]> {
    const { last, ...paging } = withPageSize(options);
    const path = '/v2/_catalog';
    try {
      yield* pagedNames(
        startingAfter(this.transport, path, paging, last),
        path,
        [catalogScope],
        'repositories',
        undefined,
        paging,
      );
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (![401, 403, 404].includes(status as number)) throw error;
      throw new RegistryCatalogRefusedError(
        `${this.registry} does not list its repositories (GET /v2/_catalog answered ${String(status)}): ` +
          'name the repositories in the name filters (a name, a brace list {a,b}, or several name filters) instead of a pattern',
        { registry: this.registry, status: status as number },
      );
    }
  }

  /**
   * Tags of `repository`, page by page (with `last`, those after it); nothing when the repository
   * does not exist, unless `inCatalog` says the catalog listed it (then a 404 is
   * REGISTRY_LISTING_TAGS_UNKNOWN).
   */
  listTags(repository: string, options: ListOptions = {}): AsyncIterable<string[]> {
    assertRepositoryName(repository);
    const remote = this.remote(repository);
    const { last, ...paging } = withPageSize(options);
    const path = `/v2/${remote}/tags/list`;
    return pagedNames(
      startingAfter(this.transport, path, paging, last),
      path,
      [repositoryScope(remote, 'pull')],
      'tags',
      repository,
      paging,
    );
  }

  /** Whether the registry knows the repository: its tag list answers rather than 404. */
  async hasRepository(repository: string, options: CallOptions = {}): Promise<boolean> {
    assertRepositoryName(repository);
    const remote = this.remote(repository);
    const response = await this.transport.send({
      method: 'GET',
      url: `/v2/${remote}/tags/list?n=1`,
      scopes: [repositoryScope(remote, 'pull')],
      expect: [200, 404],
      context: { repository },
      what: `look up ${repository}`,
      signal: options.signal,
    });
    await response.body.dump();
    return response.statusCode === 200;
  }

  async headManifest(
    repository: string,
    reference: string,
    options: HeadCallOptions = {},
  ): Promise<ManifestHead | undefined> {
    this.validate(repository, reference);
    const response = await this.transport.head({
      url: `/v2/${this.remote(repository)}/manifests/${reference}`,
      scopes: [repositoryScope(this.remote(repository), 'pull')],
      headers: { accept: acceptedManifestTypes },
      expect: [200, 404],
      context: { repository },
      what: `head manifest ${repository}:${reference}`,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    if (response.statusCode === 404) return undefined;
    const digest = header(response, 'docker-content-digest');
    if (digest) {
      return {
        digest,
        mediaType: header(response, 'content-type')?.split(';')[0] ?? '',
        size: Number(header(response, 'content-length') ?? 0),
      };
    }
    // A registry that does not say the digest on HEAD: read the manifest instead.
    const manifest = await this.getManifest(repository, reference, options);
    return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size };
  }

  /** The manifest by tag or digest, verified against the digest when asked by digest. */
  async getManifest(repository: string, reference: string, options: CallOptions = {}): Promise<Manifest> {
    const ref = this.validate(repository, reference);
    const response = await this.transport.send({
      method: 'GET',
      url: `/v2/${this.remote(repository)}/manifests/${reference}`,
      scopes: [repositoryScope(this.remote(repository), 'pull')],
      headers: { accept: acceptedManifestTypes },
      expect: [200],
      context: { repository },
      what: `get manifest ${repository}:${reference}`,
      signal: options.signal,
    });
    const bytes = await readBounded(response, maxManifestBytes, this.registry);
    const digest = sha256(bytes);
    if (ref.kind === 'digest' && ref.digest !== digest) {
      throw new DigestMismatchError(`manifest ${repository}@${ref.digest} hashes to ${digest}`, {
        registry: this.registry,
        repository,
        digest: ref.digest,
      });
    }
    const parsed = parseManifest(bytes, header(response, 'content-type'), this.registry);
    return { digest, mediaType: parsed.mediaType, size: bytes.length, bytes, parsed };
  }

  /** Pushes manifest bytes verbatim under a tag or their digest; returns the digest. */
  async putManifest(
    repository: string,
    reference: string,
    manifest: { bytes: Buffer; mediaType: string },
    options: CallOptions = {},
  ): Promise<string> {
    const ref = this.validate(repository, reference);
    const digest = sha256(manifest.bytes);
    if (ref.kind === 'digest' && ref.digest !== digest) {
      throw new InvalidInputError(`manifest bytes do not hash to ${ref.digest}`, 'reference');
    }
    const response = await this.transport.send({
      method: 'PUT',
      url: `/v2/${this.remote(repository)}/manifests/${reference}`,
      scopes: [repositoryScope(this.remote(repository), 'pull,push')],
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
      expect: [201],
      context: { repository, digest },
      what: `put manifest ${repository}:${reference}`,
      signal: options.signal,
    });
    await response.body.dump();
    const stored = header(response, 'docker-content-digest');
    if (stored && stored !== digest) {
      throw new DigestMismatchError(`registry stored manifest ${stored}, expected ${digest}`, {
        registry: this.registry,
        repository,
        digest,
      });
    }
    return digest;
  }

  async deleteManifest(repository: string, digest: string, options: CallOptions = {}): Promise<void> {
    assertRepositoryName(repository);
    assertDigest(digest);
    const response = await this.transport.send({
      method: 'DELETE',
      url: `/v2/${this.remote(repository)}/manifests/${digest}`,
      scopes: [repositoryScope(this.remote(repository), 'delete')],
      expect: [202],
      context: { repository, digest },
      what: `delete manifest ${repository}@${digest}`,
      signal: options.signal,
    });
    await response.body.dump();
  }

  async headBlob(
    repository: string,
    digest: string,
    options: HeadCallOptions = {},
  ): Promise<{ size: number } | undefined> {
    assertRepositoryName(repository);
    assertDigest(digest);
    const response = await this.transport.head({
      url: `/v2/${this.remote(repository)}/blobs/${digest}`,
      scopes: [repositoryScope(this.remote(repository), 'pull')],
      expect: [200, 404],
      context: { repository, digest },
      what: `head blob ${digest}`,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      followRedirects: true,
    });
    if (response.statusCode === 404) return undefined;
    this.blobLocations.remember(digest, repository);
    return { size: Number(header(response, 'content-length') ?? 0) };
  }

  /**
   * The blob as a stream, following redirects (without credentials to other hosts). Bytes are
   * counted as they are consumed; the caller verifies the digest.
   */
  async getBlob(
    repository: string,
    digest: string,
    options: CallOptions & { offset?: number } = {},
  ): Promise<{ size: number; stream: Readable }> {
    assertRepositoryName(repository);
    assertDigest(digest);
    const offset = options.offset ?? 0;
    const response = await this.transport.send({
      method: 'GET',
      url: `/v2/${this.remote(repository)}/blobs/${digest}`,
      scopes: [repositoryScope(this.remote(repository), 'pull')],
      ...(offset > 0 ? { headers: { range: `bytes=${offset}-` } } : {}),
      expect: [200, 206],
      context: { repository, digest },
      what: `get blob ${digest}${offset > 0 ? ` from byte ${offset}` : ''}`,
      signal: options.signal,
      followRedirects: true,
    });
    // A registry that ignores Range sends the whole blob: the bytes before `offset` are dropped here.
    let drop = response.statusCode === 200 ? offset : 0;
    const counter = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.blobBytesRead += chunk.length;
        if (drop >= chunk.length) {
          drop -= chunk.length;
          callback();
          return;
        }
        const kept = drop > 0 ? chunk.subarray(drop) : chunk;
        drop = 0;
        callback(null, kept);
      },
    });
    const stream = pipeline(response.body, counter, () => undefined);
    return { size: Number(header(response, 'content-length') ?? -1), stream };
  }

  /** Where an upload session of this registry stands, or undefined when it has none at `location`. */
  uploadStatus(
    repository: string,
    location: string,
    options: CallOptions = {},
  ): Promise<UploadState | undefined> {
    assertRepositoryName(repository);
    return uploadStatus(this.transport, this.remote(repository), location, options.signal);
  }

  /**
   * Opens an upload session; with `mountFrom`, first asks the registry to mount the blob from
   * that repository (201 = done; 202 = it declined and opened a session instead).
   */
  async startUpload(
    repository: string,
    options: CallOptions & { mount?: { digest: string; from: string } } = {},
  ): Promise<UploadStart> {
    assertRepositoryName(repository);
    const scopes = [repositoryScope(this.remote(repository), 'pull,push')];
    let url = `/v2/${this.remote(repository)}/blobs/uploads/`;
    if (options.mount) {
      assertDigest(options.mount.digest);
      assertRepositoryName(options.mount.from, 'mount.from');
      const from = this.remote(options.mount.from);
      scopes.push(repositoryScope(from, 'pull'));
      url += `?mount=${options.mount.digest}&from=${from}`;
    }
    const response = await this.transport.send({
      method: 'POST',
      url,
      scopes,
      headers: { 'content-length': '0' },
      expect: [201, 202],
      context: { repository, digest: options.mount?.digest },
      what: `start upload to ${repository}`,
      signal: options.signal,
    });
    await response.body.dump();
    if (response.statusCode === 201 && options.mount) {
      this.blobLocations.remember(options.mount.digest, repository);
      return { mounted: true };
    }
    const location = header(response, 'location');
    if (!location) {
      throw new RegistryRequestError(`start upload to ${repository}: no Location`, {
        registry: this.registry,
        repository,
        status: response.statusCode,
      });
    }
    return { mounted: false, location };
  }

  /** A writer into an open session; see BlobWriter for when the blob is committed. */
  blobWriter(
    repository: string,
    blob: { digest: string; size: number },
    location: string,
    options: BlobWriterOptions = {},
  ): BlobWriter {
    assertDigest(blob.digest);
    return new BlobWriter(this.transport, this.remote(repository), blob.digest, blob.size, location, options);
  }

  /**
   * Uploads a blob from bytes or a stream, verifying its digest before it is committed. Returns
   * how it got there: already present, mounted from another repository, or uploaded.
   */
  uploadBlob(
    repository: string,
    blob: { digest: string; size: number },
    source: Buffer | AsyncIterable<Uint8Array>,
    options: BlobWriterOptions & { mountFrom?: string } = {},
  ): Promise<'present' | 'mounted' | 'uploaded'> {
    return uploadBlob(this, repository, blob, source, options);
  }

  /**
   * Artifacts whose `subject` is `digest`: the referrers API, else the `sha256-<hex>` tag of
   * the referrers tag schema. `via` says which one answered.
   */
  async referrers(
    repository: string,
    digest: string,
    options: CallOptions = {},
  ): Promise<{ descriptors: Descriptor[]; via: 'api' | 'tag' }> {
    assertRepositoryName(repository);
    assertDigest(digest);
    const response = await this.transport.send({
      method: 'GET',
      url: `/v2/${this.remote(repository)}/referrers/${digest}`,
      scopes: [repositoryScope(this.remote(repository), 'pull')],
      headers: { accept: manifestMediaTypes.ociIndex },
      expect: [200, 404, 405],
      context: { repository, digest },
      what: `referrers of ${digest}`,
      signal: options.signal,
    });
    if (response.statusCode === 200) {
      const bytes = await readBounded(response, maxManifestBytes, this.registry);
      const parsed = parseManifest(bytes, manifestMediaTypes.ociIndex, this.registry);
      return { descriptors: parsed.kind === 'index' ? parsed.manifests : [], via: 'api' };
    }
    await response.body.dump();
    const fallback = await this.headManifest(repository, referrersTag(digest), options);
    if (!fallback) return { descriptors: [], via: 'tag' };
    const index = await this.getManifest(repository, referrersTag(digest), options);
    return { descriptors: index.parsed.kind === 'index' ? index.parsed.manifests : [], via: 'tag' };
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  /** The name the registry knows a repository by: `nginx` is `library/nginx` on Docker Hub. */
  private remote(repository: string): string {
    return this.singleNameNamespace && !repository.includes('/')
      ? `${this.singleNameNamespace}/${repository}`
      : repository;
  }

  private validate(repository: string, reference: string) {
    assertRepositoryName(repository);
    return parseReference(reference);
  }
}

/** A client for one registry endpoint; validates the endpoint first. */
export function createRegistryClient(
  endpoint: RegistryEndpoint,
  options: TransportOptions = {},
): RegistryClient {
  return new RegistryClient(endpoint, options);
}
