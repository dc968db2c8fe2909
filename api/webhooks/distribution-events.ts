import { z } from 'zod';
import { eventTime } from './event-time.js';
import type { RegistryEvent } from '../../service/index.js';

const manifestMediaType = /manifest|image\.index/;

/** A field 3.x writes as `""` when it has no value (its target's descriptor has no omitempty): absent. */
const Optional = z
  .string()
  .optional()
  .transform((value) => value || undefined);

const DistributionEvent = z.object({
  id: z.string().optional(),
  action: z.string(),
  timestamp: z.string().optional(),
  target: z.object({
    mediaType: Optional,
    repository: z.string(),
    digest: Optional,
    tag: Optional,
  }),
});

/** Distribution's notification envelope (`application/vnd.docker.distribution.events.v1+json`, v2 in 3.x). */
export const DistributionEnvelope = z.object({ events: z.array(DistributionEvent).max(1000) });

/**
 * The events of an envelope that matter for replication: manifest pushes that carry a tag, and
 * deletes. Blob events, pulls and mounts are ignored.
 */
export function distributionRegistryEvents(envelope: z.infer<typeof DistributionEnvelope>): RegistryEvent[] {
  const events: RegistryEvent[] = [];
  for (const { id, action, target, timestamp } of envelope.events) {
    const occurredAt = eventTime(timestamp);
    if (action === 'push' && target.tag && manifestMediaType.test(target.mediaType ?? '')) {
      events.push({
        action: 'push',
        repository: target.repository,
        tag: target.tag,
        digest: target.digest,
        ...occurredAt,
        ...(id ? { eventId: id } : {}),
      });
    } else if (action === 'delete' && (target.digest || target.tag)) {
      // 2.x sends manifest deletes by digest; 3.x also sends tag deletes.
      events.push({
        action: 'delete',
        repository: target.repository,
        tag: target.tag,
        digest: target.digest,
        ...occurredAt,
        ...(id ? { eventId: id } : {}),
      });
    }
  }
  return events;
}
