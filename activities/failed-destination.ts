import type { DestinationResult } from '../contract/index.js';

/** A destination's failure as data, keeping the error's `code` and `retryable` as it was born. */
export function failedDestination(registryId: number, repository: string, error: unknown): DestinationResult {
  const classified = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    retryable?: unknown;
    message?: unknown;
    resumeAt?: unknown;
  };
  return {
    registryId,
    repository,
    ok: false,
    outcome: 'failed',
    bytes: 0,
    error: {
      code: typeof classified.code === 'string' ? classified.code : 'UNKNOWN',
      message: typeof classified.message === 'string' ? classified.message : String(error),
      // An error nobody classified (a bug, a raw socket error) is retried, as Temporal itself would.
      retryable: classified.retryable !== false,
      ...(typeof classified.resumeAt === 'string' ? { resumeAt: classified.resumeAt } : {}),
    },
  };
}
