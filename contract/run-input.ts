import { z } from 'zod';
import { PolicySnapshot } from '../policies/index.js';
import { Artifact, Operation } from './artifact.js';

/** How a run was started; Harbor's trigger words. */
export const Trigger = z.enum(['manual', 'scheduled', 'event_based']);
export type Trigger = z.infer<typeof Trigger>;

export const ReplicationRunInput = z.object({
  policy: PolicySnapshot,
  trigger: Trigger,
  /** Given for event-based runs; otherwise the run enumerates the source. */
  artifacts: z.array(Artifact).optional(),
  operation: Operation.default('copy'),
  /** Set when the run must not copy (single active replication): it is recorded, then ends stopped. */
  skipReason: z.string().optional(),
  /** Plan only: the tasks say what a real run would copy, skip and delete; nothing is written. */
  dryRun: z.boolean().default(false),
  /** For event runs, when the registry reported the change (ISO 8601). */
  eventTime: z.string().optional(),
});
/** What a run is started with; an earlier release's snapshot form is read too (policies/legacy-snapshot.ts). */
export type ReplicationRunInput = Omit<z.input<typeof ReplicationRunInput>, 'policy'> & {
  policy: PolicySnapshot;
};
