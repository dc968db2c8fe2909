import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { errorCode } from '../errors/regatta-error.js';
import type { Store } from '../store/index.js';
import { executionFact } from './execution-facts.js';

/** Executions one pass reads from Temporal at most: a run's close stays short; a backlog takes a few runs. */
export const unreadEndsPerPass = 20;

/**
 * Records the ends that a policy's runs could not record themselves (terminated or timed out in
 * Temporal, forgotten past retention) and nobody has read since, so the execution sweep counts
 * them: otherwise they would pile up unswept. Only executions older than the policy's `kept`
 * newest closed ones are read (the sweep keeps younger ones anyway), oldest first; one still
 * running is read and left. Idempotent: a recorded end is not looked for again.
 *
 * Housekeeping for older runs, done as a run closes: an execution that cannot be read now is
 * logged and left for the next pass, so it never holds up the close that runs the pass.
 */
export async function recordUnreadEnds(
  store: Store,
  client: Client,
  logger: Pick<Logger, 'warn'>,
  policyId: number,
  kept: number,
): Promise<void> {
  const records = await store.executions.unrecordedPastKept(policyId, kept, unreadEndsPerPass);
  await Promise.all(
    records.map((record) =>
      executionFact(store, client, record).catch((error: unknown) =>
        logger.warn(
          { err: error, code: errorCode(error) ?? 'UNKNOWN', policyId, workflowId: record.workflowId },
          'could not read an older run to record its end; the next run of its policy tries again',
        ),
      ),
    ),
  );
}
