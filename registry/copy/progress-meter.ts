import type { CopyProgress } from './copy-types.js';

const everyMs = 100;

/** Adds up bytes done and reports at most every 100 ms, plus once at the end. */
export class ProgressMeter {
  private done = 0;
  private lastReport = 0;

  constructor(
    private readonly total: number,
    private readonly report: ((progress: CopyProgress) => void) | undefined,
  ) {}

  add(bytes: number): void {
    this.done += bytes;
    const now = Date.now();
    if (this.report && now - this.lastReport >= everyMs) {
      this.lastReport = now;
      this.report({ bytesDone: this.done, bytesTotal: this.total });
    }
  }

  finish(): void {
    this.report?.({ bytesDone: this.done, bytesTotal: this.total });
  }
}
