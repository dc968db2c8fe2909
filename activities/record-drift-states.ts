import {
  driftChange,
  hasDrift,
  type NotificationEvent,
  type RecordDriftStatesInput,
} from '../contract/index.js';
import type { Store } from '../store/index.js';

/**
 * Keeps whether each audited site drifts and returns what changed since the site's previous
 * audit, as events to tell: drift where it was in sync (or never audited), in sync where it
 * drifted. An audit that finds what the previous one found tells nothing.
 */
export async function recordDriftStates(
  store: Store,
  input: RecordDriftStatesInput,
): Promise<NotificationEvent[]> {
  const changes = await store.driftStates.record(
    input.policy.id,
    input.auditedAt,
    input.destinations.map((destination) => ({
      registryId: destination.site.id,
      drifting: hasDrift(destination),
    })),
  );
  const audited = new Map(input.destinations.map((destination) => [destination.site.id, destination]));
  return changes.flatMap(({ registryId, wasDrifting, drifting }) => {
    const type = driftChange(wasDrifting, drifting);
    const destination = audited.get(registryId);
    if (!type || !destination) return [];
    const { policy, verify, auditedAt } = input;
    return [{ type, subject: { kind: 'drift', policy, verify, auditedAt, ...destination } }];
  });
}
