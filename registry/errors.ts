import { RegattaError } from '../errors/regatta-error.js';

/** Where a registry error happened; never credentials. */
export interface RegistryErrorContext {
  registry: string;
  status?: number;
  repository?: string;
  digest?: string;
  /** The code in the registry's own error body (e.g. MANIFEST_UNKNOWN), when it sent one. */
  registryCode?: string;
}

abstract class RegistryError extends RegattaError {
  readonly registry: string;
  readonly status: number | undefined;
  readonly repository: string | undefined;
  readonly digest: string | undefined;
  readonly registryCode: string | undefined;

  constructor(message: string, context: RegistryErrorContext, options?: { cause?: unknown }) {
    super(message, options);
    this.registry = context.registry;
    this.status = context.status;
    this.repository = context.repository;
    this.digest = context.digest;
    this.registryCode = context.registryCode;
  }
}

/** Credentials missing or refused (401 after authenticating). */
export class RegistryUnauthorizedError extends RegistryError {
  readonly code = 'REGISTRY_UNAUTHORIZED';
  readonly retryable = false;
}

/** Authenticated, but not allowed (403). */
export class RegistryDeniedError extends RegistryError {
  readonly code = 'REGISTRY_DENIED';
  readonly retryable = false;
}

export type NotFoundCode =
  'REGISTRY_NAME_UNKNOWN' | 'REGISTRY_MANIFEST_UNKNOWN' | 'REGISTRY_BLOB_UNKNOWN' | 'REGISTRY_NOT_FOUND';

export class RegistryNotFoundError extends RegistryError {
  readonly retryable = false;

  constructor(
    readonly code: NotFoundCode,
    message: string,
    context: RegistryErrorContext,
  ) {
    super(message, context);
  }
}

/** 429; `retryAfterMs` is what the registry asked for, when it said. */
export class RegistryTooManyRequestsError extends RegistryError {
  readonly code = 'REGISTRY_TOO_MANY_REQUESTS';
  readonly retryable = true;

  constructor(
    message: string,
    context: RegistryErrorContext,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message, context);
  }
}

/**
 * The registry's rate limit is spent, or nearly (its `RateLimit-Remaining`), or it asked to wait
 * longer than a request should (429 `Retry-After`): trying again helps from `resumeAt` (ISO 8601)
 * on, and not before. Thrown before a request is sent while this worker's budget for the
 * registry is spent, so waiting activities do not spend what is left.
 */
export class RegistryRateLimitedError extends RegistryError {
  readonly code = 'REGISTRY_RATE_LIMITED';
  readonly retryable = true;

  constructor(
    message: string,
    context: RegistryErrorContext,
    readonly resumeAt: string,
  ) {
    super(message, context);
  }
}

/**
 * The registry does not list its repositories (`GET /v2/_catalog` answered 401, 403 or 404), as
 * Docker Hub, GHCR and most public registries do: a policy must name the repositories it reads.
 */
export class RegistryCatalogRefusedError extends RegistryError {
  readonly code = 'REGISTRY_CATALOG_REFUSED';
  readonly retryable = false;
}

export class RegistryServerError extends RegistryError {
  readonly code = 'REGISTRY_SERVER_ERROR';
  readonly retryable = true;
}

/** Connection refused, reset, TLS failure or timeout. */
export class RegistryNetworkError extends RegistryError {
  readonly code = 'REGISTRY_NETWORK';
  readonly retryable = true;
}

/**
 * The registry's storage is full (its error says "no space left on device"). Not retried: more
 * attempts only add load until someone frees space; the next run copies what this one could not.
 */
export class RegistryStorageFullError extends RegistryError {
  readonly code = 'REGISTRY_STORAGE_FULL';
  readonly retryable = false;
}

/**
 * A copy, or one target of it, made no progress (no byte moved, no request answered) for the
 * stall timeout and was cut; another attempt starts afresh (or resumes an upload).
 */
export class RegistryStalledError extends RegistryError {
  readonly code = 'REGISTRY_STALLED';
  readonly retryable = true;
}

/** A request waited for one of the registry's connections longer than its deadline. */
export class RegistryPoolTimeoutError extends RegistryError {
  readonly code = 'REGISTRY_POOL_TIMEOUT';
  readonly retryable = true;
}

/** Any other 4xx the registry answered: the request itself is wrong. */
export class RegistryRequestError extends RegistryError {
  readonly code = 'REGISTRY_BAD_REQUEST';
  readonly retryable = false;
}

/** The registry lost an upload session (e.g. after a connection dropped mid-chunk); start anew. */
export class BlobUploadInvalidError extends RegistryError {
  readonly code = 'REGISTRY_BLOB_UPLOAD_INVALID';
  readonly retryable = true;
}

/** Content does not hash to its digest or has the wrong size: nothing of it is committed. */
export class DigestMismatchError extends RegistryError {
  readonly code = 'DIGEST_MISMATCH';
  readonly retryable = false;
}

/**
 * The registry refused what it was sent as not matching its digest or size. Regatta verifies
 * every byte it sends, so this is usually the registry's own race: Distribution answers
 * DIGEST_INVALID to a manifest while another upload of the same blob rewrites its link file.
 */
export class RegistryDigestInvalidError extends RegistryError {
  readonly code = 'REGISTRY_DIGEST_INVALID';
  readonly retryable = true;
}

export type ListingCode =
  | 'REGISTRY_LISTING_FOREIGN_LINK'
  | 'REGISTRY_LISTING_REPEATED_PAGE'
  | 'REGISTRY_LISTING_PAGE_LIMIT'
  | 'REGISTRY_LISTING_TRUNCATED'
  | 'REGISTRY_LISTING_INVALID'
  | 'REGISTRY_LISTING_TAGS_UNKNOWN';

/**
 * A paged listing (catalog, tags) that cannot be read to its end. A listing is complete or it is
 * this error, never cut short: a mirror deletes at its sites what the source's listing lacks.
 */
export class RegistryListingError extends RegistryError {
  constructor(
    readonly code: ListingCode,
    message: string,
    context: RegistryErrorContext,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, context, options);
  }
}

/** Docker schema1 or an unknown manifest media type. */
export class UnsupportedManifestError extends RegistryError {
  readonly code = 'REGISTRY_MANIFEST_UNSUPPORTED';
  readonly retryable = false;
}

/** TLS failed (untrusted certificate, wrong host name): a configuration problem, not a blip. */
export class RegistryTlsError extends RegistryError {
  readonly code = 'REGISTRY_TLS';
  readonly retryable = false;
}

/**
 * The registry, or where it sent Regatta (a redirect, a token realm), is outside
 * REGATTA_REGISTRY_ALLOW: a setting to change, not a blip.
 */
export class RegistryNotAllowedError extends RegistryError {
  readonly code = 'REGISTRY_NOT_ALLOWED';
  readonly retryable = false;
}

/** A token realm Regatta will not send credentials to (plain HTTP for an https registry, not a URL). */
export class RegistryRealmRefusedError extends RegistryError {
  readonly code = 'REGISTRY_REALM_REFUSED';
  readonly retryable = false;
}

/** A manifest tree beyond what Regatta reads: too many manifests, or too many bytes of them. */
export class ManifestLimitError extends RegistryError {
  readonly code = 'REGISTRY_MANIFEST_LIMIT';
  readonly retryable = false;
}

/** The caller's AbortSignal fired. */
export class AbortedError extends RegattaError {
  readonly code = 'ABORTED';
  readonly retryable = false;
}
