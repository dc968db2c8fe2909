import { setMaxListeners } from 'node:events';
import { errorCode } from '../../errors/regatta-error.js';
import { RegistryRateLimitedError, RegistryStalledError } from '../errors.js';
import type { CopyTarget, TargetResult } from './copy-types.js';
import { StallWatch } from './stall-watch.js';

/** The running state of one target of a copy; once failed it takes no further part. */
export class TargetRun {
  readonly result: TargetResult;
  /** The tag to set, if any (else the manifest is pushed by digest). */
  tag: string | undefined;
  /** False once the tag is found at the right digest, or held by another one (conflict). */
  needsImage = true;
  needsReferrers = true;
  /** Every request for this target listens here: the copy's stop, and this target's own stall. */
  readonly signal: AbortSignal;
  /** Armed while this target is awaited; fires when it made no progress for the stall timeout. */
  readonly watch: StallWatch;
  /** Blobs this target finishes alone, after the others (it fell behind them; see blob-fanout.ts). */
  readonly later: Array<Promise<void>> = [];
  private readonly controller = new AbortController();
  private stall: RegistryStalledError | undefined;

  constructor(
    readonly target: CopyTarget,
    options: { signal?: AbortSignal | undefined; stallTimeoutMs: number },
  ) {
    this.result = {
      id: target.id,
      status: 'copied',
      bytesUploaded: 0,
      blobsSkipped: 0,
      blobsMounted: 0,
      blobsUploaded: 0,
    };
    this.signal = options.signal
      ? AbortSignal.any([options.signal, this.controller.signal])
      : this.controller.signal;
    setMaxListeners(0, this.signal);
    this.watch = new StallWatch(options.stallTimeoutMs, () => {
      const seconds = Math.round(options.stallTimeoutMs / 1000);
      this.stall = new RegistryStalledError(
        `${target.client.registry} made no progress for ${seconds} s; cut so the other destinations go on`,
        { registry: target.client.registry, repository: target.repository },
      );
      this.controller.abort(this.stall);
    });
  }

  get failed(): boolean {
    return this.result.status === 'failed';
  }

  /** Waits for everything this target finishes alone, including what that adds as it goes. */
  async settleLater(): Promise<void> {
    for (let index = 0; index < this.later.length; index++) await this.later[index];
  }

  /** Fails the target; whatever a stall made its requests throw is reported as the stall. */
  fail(error: unknown): void {
    if (this.failed) return;
    const cause = this.stall ?? error;
    this.result.status = 'failed';
    const retryable =
      typeof cause === 'object' && cause !== null && 'retryable' in cause ? Boolean(cause.retryable) : true;
    const resumeAt = cause instanceof RegistryRateLimitedError ? cause.resumeAt : undefined;
    this.result.error = {
      code: errorCode(cause) ?? 'UNKNOWN',
      message: cause instanceof Error ? cause.message : String(cause),
      retryable,
      ...(resumeAt ? { resumeAt } : {}),
    };
  }

  /** Runs one step for this target, watched for stalls; a throw fails this target only (undefined). */
  async step<T>(work: () => Promise<T>): Promise<T | undefined> {
    if (this.failed) return undefined;
    try {
      return await this.watch.during(work);
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }
}
