import type { Context } from '@temporalio/activity';
import type { CopyProgress, UploadCheckpoints, UploadState } from '../registry/index.js';
import { uploadKey, type UploadSessions } from './upload-sessions.js';

/**
 * What a copy's heartbeats carry: the bytes it moved, and where each chunked upload in progress
 * stands, keyed by registry, repository and digest. Temporal hands the last details to the next
 * attempt, which resumes those uploads from the registry's offset instead of byte 0.
 */
export interface CopyHeartbeatDetails extends CopyProgress {
  /** For a batch: its artifacts done, of how many. */
  artifacts?: number;
  of?: number;
  uploads: Record<string, UploadState>;
}

/** How often a copy says it is alive while nothing moves (waiting on a registry that answers slowly). */
const keepAliveMs = 5_000;

function isUploadState(value: unknown): value is UploadState {
  if (typeof value !== 'object' || value === null) return false;
  const { location, offset } = value as Partial<UploadState>;
  return typeof location === 'string' && Number.isSafeInteger(offset) && offset! >= 0;
}

/** The uploads an earlier attempt recorded; anything else in its details is ignored. */
function earlierUploads(details: unknown): Map<string, UploadState> {
  const uploads = (details as Partial<CopyHeartbeatDetails> | undefined)?.uploads;
  if (typeof uploads !== 'object' || uploads === null) return new Map();
  return new Map(
    Object.entries(uploads).filter((entry): entry is [string, UploadState] => isUploadState(entry[1])),
  );
}

/**
 * The heartbeats of one copy activity: sent as bytes move and as uploads reach checkpoints, with
 * a keep-alive while nothing moves, so Temporal tells a lost worker (no heartbeat) from a slow
 * registry; a copy that stopped moving is cut by the copy engine's own stall timeout. `uploads`
 * is the engine's checkpoint callback, seeded from the previous attempt's last details (a retry
 * of this activity) and the worker's `sessions` (a new activity for a task that failed). The
 * uploads still open when the copy stops are left in `sessions` for the next copy.
 */
export function copyHeartbeat(context: Context, sessions: UploadSessions) {
  const uploads = earlierUploads(context.info.heartbeatDetails);
  let progress: Omit<CopyHeartbeatDetails, 'uploads'> = { bytesDone: 0, bytesTotal: 0 };
  const beat = () => {
    const details: CopyHeartbeatDetails = { ...progress, uploads: Object.fromEntries(uploads) };
    context.heartbeat(details);
  };
  const keepAlive = setInterval(beat, keepAliveMs);
  const checkpoints: UploadCheckpoints = {
    resumeFrom: (upload) => {
      const key = uploadKey(upload);
      const left = sessions.claim(key);
      return uploads.get(key) ?? left;
    },
    checkpoint(upload, state) {
      const key = uploadKey(upload);
      if (state) uploads.set(key, state);
      // Most blobs were never uploaded in chunks (skipped, mounted, sent whole): nothing to tell.
      else if (!uploads.delete(key)) return;
      beat();
    },
  };
  return {
    uploads: checkpoints,
    progress(update: Omit<CopyHeartbeatDetails, 'uploads'>) {
      progress = update;
      beat();
    },
    stop() {
      clearInterval(keepAlive);
      for (const [key, state] of uploads) sessions.leave(key, state);
    },
  };
}
