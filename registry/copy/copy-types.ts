import type { UploadState } from '../blob-writer.js';
import type { BandwidthLimiter } from './bandwidth-limiter.js';
import type { Platform } from '../manifest.js';
import type { ArtifactTree } from './artifact-tree.js';
import type { BlobPlacements } from './blob-placements.js';
import type { RegistryClient } from '../registry-client.js';

export interface CopySource {
  client: RegistryClient;
  repository: string;
  /** A tag or a digest. */
  reference: string;
}

export interface CopyTarget {
  /** The caller's name for this target, echoed in its result. */
  id: string;
  client: RegistryClient;
  repository: string;
  /** Tag to set; defaults to the source's tag, and none when the source is named by digest. */
  tag?: string | undefined;
  /**
   * The caller just found the tag missing here or on another digest: with `override` the copy
   * sets it without asking the target again (without override it asks: it must keep another digest).
   */
  stale?: boolean | undefined;
}

export interface CopyProgress {
  bytesDone: number;
  bytesTotal: number;
}

/** One blob's upload to one repository of a registry (`registry`: the client's host). */
export interface BlobUpload {
  registry: string;
  repository: string;
  digest: string;
}

/**
 * The uploads a copy has in progress, kept by its caller across attempts (an activity keeps them
 * in its heartbeat details, its worker those a failed copy left): a chunked upload cut by a
 * failure resumes where the registry stands instead of from byte 0.
 */
export interface UploadCheckpoints {
  /** Where an earlier attempt left this upload, if anywhere. */
  resumeFrom(upload: BlobUpload): UploadState | undefined;
  /** Each chunk the registry acknowledged; undefined once the blob is committed or the upload dropped. */
  checkpoint(upload: BlobUpload, state: UploadState | undefined): void;
}

export interface CopyInput {
  source: CopySource;
  targets: CopyTarget[];
  /** Replace a tag that points to another digest; when false it is left and reported as a conflict. */
  override?: boolean | undefined;
  /** Copy only these platforms of an index (a rewritten index with its own digest). */
  platforms?: Platform[] | undefined;
  /** Also copy artifacts whose `subject` is the image (signatures, SBOMs). */
  referrers?: boolean | undefined;
  bytesPerSecond?: number | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: CopyProgress) => void) | undefined;
  /** Blobs read from the source at once (default 4). */
  maxBlobsInFlight?: number | undefined;
  /** Blobs larger than this go in resumable chunks of this size (default 8 MiB); smaller ones in one streamed PUT. */
  chunkSize?: number | undefined;
  /** What several copies of one batch share, so many tags of one image cost one read each. */
  shared?: SharedCopyState | undefined;
  /** The blobs the worker's copies are placing now: one copy places each, the others wait. */
  placements?: BlobPlacements | undefined;
  /** Every blob in chunks, whatever its size (a policy's `copy_by_chunk`). */
  chunked?: boolean | undefined;
  /** Where chunked uploads stand, across attempts; without it an interrupted upload starts again. */
  uploads?: UploadCheckpoints | undefined;
  /**
   * A target with no progress for this long (no byte taken, no request answered) is cut alone,
   * failing retryable (REGISTRY_STALLED); a source so is the whole copy. Default 120 s.
   */
  stallTimeoutMs?: number | undefined;
}

/**
 * Shared by the copies of one batch: the source trees already read (by repository and digest) and
 * the blobs known to be at a target repository (seen, mounted or uploaded during the batch).
 */
export interface SharedCopyState {
  /** One speed cap for all the batch's copies at once (they run concurrently). */
  limiter?: BandwidthLimiter | undefined;
  /** The source digest a tag points to, when the caller has just read it (a HEAD). */
  sourceDigests: Map<string, string>;
  trees: Map<string, Promise<ArtifactTree>>;
  presentBlobs: Set<string>;
}

/**
 * copied; skipped (already there); conflict (another digest kept, override off); superseded (the
 * source's tag moved on before it was set, so it was not); failed.
 */
export type TargetStatus = 'copied' | 'skipped' | 'conflict' | 'superseded' | 'failed';

export interface TargetResult {
  id: string;
  status: TargetStatus;
  /** The digest the target's tag points to afterwards (the existing one on a conflict). */
  digest?: string;
  bytesUploaded: number;
  blobsSkipped: number;
  blobsMounted: number;
  blobsUploaded: number;
  /** Why the tag was left as it was (a superseded target); in a plan, what it would send. */
  note?: string;
  /** `resumeAt` (ISO 8601): a rate limit, to be waited out until then. */
  error?: { code: string; message: string; retryable: boolean; resumeAt?: string };
}

export interface CopyResult {
  /** Digest of what was copied: the source's, or the rewritten index's when platforms were filtered. */
  digest: string;
  mediaType: string;
  /** The source manifest's own digest. */
  sourceDigest: string;
  /** True when `platforms` left some out, so `digest` is a new index, not the source's. */
  platformsFiltered: boolean;
  targets: TargetResult[];
}
