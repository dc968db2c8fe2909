/**
 * Notices work that stopped moving. It is armed while something is awaited on behalf of its
 * owner (a request to one target, a piece the target has not taken yet) and told of every sign of
 * progress; armed with no progress for `timeoutMs`, it calls `onStall` once. Idle time (waiting
 * for others, for the source, for the speed cap) is not counted: the watch is disarmed then.
 */
export class StallWatch {
  private armed = 0;
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  private fired = false;

  constructor(
    readonly timeoutMs: number,
    private readonly onStall: () => void,
  ) {}

  get stalled(): boolean {
    return this.fired;
  }

  progress(): void {
    this.last = performance.now();
  }

  /** Runs `work` armed: counted from now, and again from each progress. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.arm();
    try {
      return await work();
    } finally {
      this.disarm();
    }
  }

  arm(): void {
    if (this.armed++ > 0) return;
    this.last = performance.now();
    this.schedule(this.timeoutMs);
  }

  disarm(): void {
    if (--this.armed > 0) return;
    this.armed = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  // One timer per watch, re-aimed at the deadline when it fires early, rather than reset on every
  // piece of progress (tens of thousands per blob).
  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => this.check(), delayMs);
  }

  private check(): void {
    this.timer = undefined;
    if (this.armed === 0 || this.fired) return;
    const idle = performance.now() - this.last;
    if (idle < this.timeoutMs) {
      this.schedule(this.timeoutMs - idle);
      return;
    }
    this.fired = true;
    this.onStall();
  }
}
