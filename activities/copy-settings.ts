import type { ConnectionSettings } from './store-registry-clients.js';

/** How a worker copies; from its configuration (REGATTA_WORKER_BLOB_CONCURRENCY, REGATTA_STALL_TIMEOUT_SECONDS). */
export interface CopySettings {
  /** Blobs one copy reads from the source at once. */
  blobConcurrency: number;
  /** A copy, or one destination of it, with no progress for this long is cut (REGISTRY_STALLED). */
  stallTimeoutMs: number;
}

export const defaultCopySettings: CopySettings = { blobConcurrency: 4, stallTimeoutMs: 120_000 };

/**
 * The connections a worker keeps to each registry: enough for every blob its activities copy at
 * once, and one more per activity for the small requests beside them (HEADs, manifests), so a
 * request waits for a connection only when a registry's own limit is lower.
 */
export function connectionSettings(activityConcurrency: number, copy: CopySettings): ConnectionSettings {
  return {
    poolSize: activityConcurrency * (copy.blobConcurrency + 1),
    stallTimeoutMs: copy.stallTimeoutMs,
  };
}
