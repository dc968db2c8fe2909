import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { UnauthorizedError } from '../errors/access-errors.js';
import { InvalidInputError } from '../errors/regatta-error.js';
import { matchesFilters, type PolicySnapshot, type StoredPolicy } from '../policies/index.js';
import { forEachBounded } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { TemporalUnavailableError } from '../temporal/temporal-unavailable-error.js';
import { storedPolicySnapshot } from './policy-snapshot.js';
import type { RegistryEvent } from './registry-event.js';
import { eventRunId } from './run-identity.js';
import { startReplicationRun } from './start-replication-run.js';

/** How long Temporal has to accept a run before the delivery is refused (the registry delivers again). */
const startDeadlineMs = 5_000;
/** A delivery is a handful of events; one that would start more runs than this is refused, not queued. */
export const maxRunsPerDelivery = 1000;
/** Runs of one delivery started at once. */
const startsInFlight = 8;

/**
 * What a delivery did: `started` at least one new run, every run it asks for existed already
 * (`duplicate`), or nothing in it is replicated (`ignored`).
 */
export interface DeliveryResult {
  outcome: 'started' | 'duplicate' | 'ignored';
  /** The workflow ids of the runs the delivery asks for. */
  runs: string[];
}

async function eventPolicies(store: Store, registryId: number): Promise<StoredPolicy[]> {
  const policies: StoredPolicy[] = [];
  for (let page = 1; ; page++) {
    const { items, total } = await store.policies.list({
      page,
      pageSize: 100,
      exact: [{ field: 'src_registry_id', value: registryId }],
    });
    policies.push(...items.filter((policy) => policy.enabled && policy.trigger.type === 'event_based'));
    if (page * 100 >= total) return policies;
  }
}

/** Each push, with the time the registry gave it: drift audits count the recovery point from here. */
async function recordPushes(store: Store, registryId: number, events: readonly RegistryEvent[]) {
  const now = new Date().toISOString();
  for (const event of events) {
    if (event.action !== 'push' || !event.tag || !event.digest) continue;
    // A clock ahead of ours must not make a change look newer than when we heard of it.
    const seenAt = event.occurredAt && event.occurredAt < now ? event.occurredAt : now;
    await store.sourceChanges.record(
      registryId,
      [{ repository: event.repository, tag: event.tag, digest: event.digest }],
      seenAt,
    );
  }
}

/**
 * Registry notifications in, durable runs out: a delivery is taken only once Temporal has
 * accepted every run it needs, so the registry delivers again whatever was not; duplicate
 * deliveries map to the same workflow ids and start nothing new.
 */
export function createWebhooks(store: Store, client: Client) {
  return {
    /**
     * Refuses (401) a delivery that does not carry the registry's webhook secret. A store that
     * cannot be read throws (STORE_UNAVAILABLE, a 503): a 401 would make the registry give up on
     * a delivery it must send again.
     */
    async authenticate(registryId: number, secret: string | undefined): Promise<void> {
      const known = secret !== undefined && (await store.registries.verifyWebhookSecret(registryId, secret));
      if (!known) throw new UnauthorizedError('webhook: missing or wrong secret for this registry');
    },

    /** Starts a run per event and matching event-based policy; pushes are remembered for drift audits. */
    async deliver(registryId: number, events: readonly RegistryEvent[]): Promise<DeliveryResult> {
      await recordPushes(store, registryId, events);
      const policies = await eventPolicies(store, registryId);
      const starts: Array<{ policy: StoredPolicy; event: RegistryEvent }> = [];
      for (const event of events) {
        for (const policy of policies) {
          if (event.action === 'delete' && !policy.replicate_deletion) continue;
          if (matchesFilters(policy.filters, { repository: event.repository, tag: event.tag }))
            starts.push({ policy, event });
        }
      }
      if (starts.length === 0) return { outcome: 'ignored', runs: [] };
      if (starts.length > maxRunsPerDelivery) {
        throw new InvalidInputError(
          `body: would start ${starts.length} runs, more than ${maxRunsPerDelivery} per delivery`,
          'body',
        );
      }
      // An envelope often carries many events for one policy: read its registries once.
      const snapshots = new Map<number, Promise<PolicySnapshot>>();
      for (const { policy } of starts)
        if (!snapshots.has(policy.id)) snapshots.set(policy.id, storedPolicySnapshot(store, policy));
      const planned = await Promise.all(
        starts.map(async ({ policy, event }) => {
          const snapshot = await snapshots.get(policy.id)!;
          return { snapshot, event, workflowId: eventRunId(snapshot, event) };
        }),
      );
      let started = false;
      await forEachBounded(planned, startsInFlight, async ({ snapshot, event, workflowId }) => {
        const artifact = { repository: event.repository, tag: event.tag, digest: event.digest };
        try {
          await client.connection.withDeadline(Date.now() + startDeadlineMs, () =>
            startReplicationRun({
              client,
              workflowId,
              policy: snapshot,
              trigger: 'event_based',
              artifacts: [artifact],
              operation: event.action === 'delete' ? 'delete' : 'copy',
              ...(event.occurredAt ? { eventTime: event.occurredAt } : {}),
            }),
          );
          started = true;
        } catch (error) {
          // The same event delivered again: its run is going or succeeded, which is what was asked.
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
            throw new TemporalUnavailableError('Temporal did not accept the run; deliver again', {
              cause: error,
            });
          }
        }
      });
      const runs = planned.map((run) => run.workflowId);
      return { outcome: started ? 'started' : 'duplicate', runs };
    },
  };
}
export type Webhooks = ReturnType<typeof createWebhooks>;
