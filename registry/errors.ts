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
