import { ActivityFailure, ApplicationFailure, defineSignal, sleep } from '@temporalio/workflow';

/** A registry's rate limit a run waits out: until when, and the registry's words. */
export interface RateLimitWait {
  /** ISO 8601: the registry takes requests again from then on. */
  until: string;
  reason: string;
}

/**
 * The wait an activity's failure asks for: REGISTRY_RATE_LIMITED with `{ resumeAt }` in its
 * details (activities/application-failure.ts); undefined for any other failure.
 */
export function rateLimitOf(error: unknown): RateLimitWait | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'REGISTRY_RATE_LIMITED') return undefined;
  const resumeAt = (cause.details?.[0] as { resumeAt?: unknown } | undefined)?.resumeAt;
  if (typeof resumeAt !== 'string' || !Number.isFinite(Date.parse(resumeAt))) return undefined;
  return { until: resumeAt, reason: cause.message };
}

/** A page tells its run it waits for a rate limit (or no longer, with undefined): the run's status says so. */
export const pageWaitSignal = defineSignal<[{ page: string; wait?: RateLimitWait }]>('regattaPageWait');

/** Sleeps until the registry takes requests again (a second at least: clocks differ). */
export async function waitOut(wait: RateLimitWait): Promise<void> {
  await sleep(Math.max(1_000, Date.parse(wait.until) - new Date().getTime()));
}

/**
 * Runs an activity call until it is not rate limited: each REGISTRY_RATE_LIMITED is waited out
 * with a timer, `onWait` told when it starts and ends, as often as it comes; any other failure is
 * thrown.
 */
export async function untilNotRateLimited<T>(
  call: () => Promise<T>,
  onWait: (wait: RateLimitWait | undefined) => void,
): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const wait = rateLimitOf(error);
      if (!wait) throw error;
      onWait(wait);
      await waitOut(wait);
      onWait(undefined);
    }
  }
}
