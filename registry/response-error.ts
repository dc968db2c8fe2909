import type { Dispatcher } from 'undici';
import {
  BlobUploadInvalidError,
  RegistryDeniedError,
  RegistryDigestInvalidError,
  RegistryNetworkError,
  RegistryNotAllowedError,
  RegistryNotFoundError,
  RegistryRequestError,
  RegistryServerError,
  RegistryStorageFullError,
  RegistryTlsError,
  RegistryTooManyRequestsError,
  RegistryUnauthorizedError,
  type NotFoundCode,
  type RegistryErrorContext,
} from './errors.js';
import { parseRetryAfter } from '../errors/retry-after.js';

type IncomingHttpHeaders = Dispatcher.ResponseData['headers'];

export type RegistryFailure =
  | RegistryUnauthorizedError
  | RegistryDeniedError
  | RegistryNotFoundError
  | RegistryTooManyRequestsError
  | RegistryServerError
  | RegistryStorageFullError
  | RegistryRequestError
  | BlobUploadInvalidError
  | RegistryDigestInvalidError;

const notFoundCodes: Record<string, NotFoundCode> = {
  NAME_UNKNOWN: 'REGISTRY_NAME_UNKNOWN',
  MANIFEST_UNKNOWN: 'REGISTRY_MANIFEST_UNKNOWN',
  BLOB_UNKNOWN: 'REGISTRY_BLOB_UNKNOWN',
};

/** Distribution's detail of a write that hit ENOSPC, as text or as the Go error's fields. */
const storageFull = /no space left on device|"Err":28\b/;

/** The first `code` of a Distribution error body `{"errors":[{"code":…}]}`, if any. */
export function registryErrorCode(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { errors?: Array<{ code?: unknown }> };
    const code = parsed.errors?.[0]?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Classifies an unexpected HTTP answer where it is born: a stable code and whether to retry. */
export function responseError(
  status: number,
  headers: IncomingHttpHeaders,
  body: string,
  context: RegistryErrorContext,
  what: string,
): RegistryFailure {
  const registryCode = registryErrorCode(body);
  const full = { ...context, status, registryCode };
  const message = `${what}: ${context.registry} answered ${status}${registryCode ? ` ${registryCode}` : ''}`;
  if (status === 401) return new RegistryUnauthorizedError(message, full);
  if (status === 403) return new RegistryDeniedError(message, full);
  if (status === 404) {
    if (registryCode === 'BLOB_UPLOAD_UNKNOWN' || registryCode === 'BLOB_UPLOAD_INVALID') {
      return new BlobUploadInvalidError(message, full);
    }
    return new RegistryNotFoundError(
      notFoundCodes[registryCode ?? ''] ?? 'REGISTRY_NOT_FOUND',
      message,
      full,
    );
  }
  if (status === 429) {
    return new RegistryTooManyRequestsError(message, full, parseRetryAfter(header(headers, 'retry-after')));
  }
  if (status >= 500 && storageFull.test(body))
    return new RegistryStorageFullError(`${message}: its storage is full (no space left on device)`, full);
  if (status >= 500) return new RegistryServerError(message, full);
  if (registryCode === 'DIGEST_INVALID' || registryCode === 'SIZE_INVALID') {
    return new RegistryDigestInvalidError(message, full);
  }
  if (registryCode === 'BLOB_UPLOAD_INVALID' || registryCode === 'BLOB_UPLOAD_UNKNOWN') {
    return new BlobUploadInvalidError(message, full);
  }
  return new RegistryRequestError(message, full);
}

const tlsCodes = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|HOSTNAME/;

/**
 * Classifies a failure below HTTP: TLS problems and a connection REGATTA_REGISTRY_ALLOW refused
 * are configuration, everything else may pass.
 */
export function transportError(cause: unknown, context: RegistryErrorContext, what: string) {
  if (cause instanceof RegistryNotAllowedError) return cause;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : 'UNKNOWN';
  if (tlsCodes.test(code)) {
    return new RegistryTlsError(`${what}: TLS with ${context.registry} failed (${code})`, context, { cause });
  }
  return new RegistryNetworkError(`${what}: network error with ${context.registry} (${code})`, context, {
    cause,
  });
}
