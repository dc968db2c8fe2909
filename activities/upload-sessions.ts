import type { BlobUpload, UploadState } from '../registry/index.js';

/** Sessions a worker keeps; past this the oldest are forgotten (their uploads start again). */
const maxSessions = 1_000;

/** The key of one blob's upload to one repository of a registry. */
export function uploadKey({ registry, repository, digest }: BlobUpload): string {
  return `${registry}/${repository}@${digest}`;
}

/**
 * The chunked uploads a worker's copies left open when they failed for a transient reason, so
 * the next copy of the same blob to the same repository on this worker resumes them instead of
 * sending the blob again from byte 0. A page tries a failed task again in a new activity, which
 * starts with no heartbeat details: this is how its checkpoint reaches it. Each session is given
 * to one copy only (`claim`), and the registry's own status decides where it goes on from.
 */
export class UploadSessions {
  private readonly sessions = new Map<string, UploadState>();

  /** Keeps `state` for the next copy of this upload. */
  leave(key: string, state: UploadState): void {
    this.sessions.delete(key);
    this.sessions.set(key, state);
    if (this.sessions.size > maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
  }

  /** The session left for this upload, taken: no other copy resumes it. */
  claim(key: string): UploadState | undefined {
    const state = this.sessions.get(key);
    this.sessions.delete(key);
    return state;
  }

  get size(): number {
    return this.sessions.size;
  }
}
