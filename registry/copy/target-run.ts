import { errorCode } from '../../errors/regatta-error.js';
import { RegistryRateLimitedError } from '../errors.js';
import type { CopyTarget, TargetResult } from './copy-types.js';

/** The running state of one target of a copy; once failed it takes no further part. */
export class TargetRun {
  readonly result: TargetResult;
  /** The tag to set, if any (else the manifest is pushed by digest). */
  tag: string | undefined;
  /** False once the tag is found at the right digest, or held by another one (conflict). */
  needsImage = true;
  needsReferrers = true;

  constructor(readonly target: CopyTarget) {
    this.result = {
      id: target.id,
      status: 'copied',
      bytesUploaded: 0,
      blobsSkipped: 0,
      blobsMounted: 0,
      blobsUploaded: 0,
    };
  }

  get failed(): boolean {
    return this.result.status === 'failed';
  }

  fail(error: unknown): void {
    if (this.failed) return;
    this.result.status = 'failed';
    const retryable =
      typeof error === 'object' && error !== null && 'retryable' in error ? Boolean(error.retryable) : true;
    const resumeAt = error instanceof RegistryRateLimitedError ? error.resumeAt : undefined;
    this.result.error = {
      code: errorCode(error) ?? 'UNKNOWN',
      message: error instanceof Error ? error.message : String(error),
      retryable,
      ...(resumeAt ? { resumeAt } : {}),
    };
  }

  /** Runs one step for this target; a throw fails this target only. */
  async step(work: () => Promise<void>): Promise<void> {
    if (this.failed) return;
    try {
      await work();
    } catch (error) {
      this.fail(error);
    }
  }
}
