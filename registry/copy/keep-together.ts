import { waitAtMost } from './wait-at-most.js';
import type { TargetRun } from './target-run.js';

export interface Together<T> {
  /** Runs that finished the step with the first ones, and what it gave (undefined: it failed). */
  done: Array<{ run: TargetRun; value: T | undefined }>;
  /** Runs still busy `graceMs` after the first finished: they go on alone when it ends. */
  late: Array<{ run: TargetRun; value: Promise<T | undefined> }>;
}

/**
 * One step for each target, taken together, but never waiting on a straggler for long: once one
 * target is done, the others have `graceMs` to be done too; those still busy are handed back as
 * late, so the rest of the copy goes on without them (a hung target's step ends at its stall
 * timeout, failing it alone).
 */
export async function keepTogether<T>(
  runs: readonly TargetRun[],
  step: (run: TargetRun) => Promise<T>,
  graceMs: number,
): Promise<Together<T>> {
  const pending = runs.map((run) => {
    const entry = { run, value: run.step(() => step(run)), settled: false };
    void entry.value.then(() => (entry.settled = true));
    return entry;
  });
  if (pending.length > 0) {
    await Promise.race(pending.map((entry) => entry.value));
    await waitAtMost(graceMs, Promise.all(pending.map((entry) => entry.value)));
  }
  const result: Together<T> = { done: [], late: [] };
  for (const { run, value, settled } of pending) {
    if (settled) result.done.push({ run, value: await value });
    else result.late.push({ run, value });
  }
  return result;
}
