import { z } from 'zod';

/** A change at a source registry that may start replication: a tagged push, or a delete. */
export const RegistryEvent = z.object({
  action: z.enum(['push', 'delete']),
  repository: z.string(),
  tag: z.string().optional(),
  digest: z.string().optional(),
  /** When the registry says it happened (ISO 8601); measures push-to-site latency and the recovery point. */
  occurredAt: z.string().optional(),
  /**
   * The registry's own id of the event (Distribution's `id`, a CloudEvent's `id`): the same when it
   * delivers the event again, another for every new change.
   */
  eventId: z.string().max(256).optional(),
});
export type RegistryEvent = z.infer<typeof RegistryEvent>;
