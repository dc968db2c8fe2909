import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import express, { Router, type ErrorRequestHandler } from 'express';
import { matchesFilters, type StoredPolicy } from '../../policies/index.js';
import type { Store } from '../../store/index.js';
import { storedPolicySnapshot } from '../../temporal/policy-snapshot.js';
import { eventRunId } from '../../temporal/run-identity.js';
import { startReplicationRun } from '../../temporal/start-replication-run.js';
import { TemporalUnavailableError } from '../../temporal/temporal-unavailable-error.js';
import type { PolicySnapshot } from '../../workflows/replication-model.js';
import { UnauthorizedError } from '../http-errors.js';
import { idParam } from '../id-param.js';
import { parseWebhookBody } from './parse-webhook-body.js';
import type { RegistryEvent } from './registry-event.js';
import { refusedDeliveryOutcome, webhookSource, type RecordDelivery } from './webhook-delivery.js';

/** A delivery larger than this is refused (413) before it is parsed. */
const maxBodyBytes = 1024 * 1024;
/** How long Temporal has to accept a run before the delivery is answered 503. */
const startDeadlineMs = 5_000;

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

/** The secret as Distribution's `headers` or Harbor's `auth_header` send it: bare or as a bearer token. */
function presentedSecret(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  return authorization.replace(/^Bearer\s+/i, '');
}

/**
 * `POST /webhooks/registries/{id}`: registry notifications in, durable runs out. The answer is
 * 2xx only once Temporal has accepted every run the delivery needs, so the registry delivers
 * again whatever was not; duplicate deliveries map to the same workflow ids and start nothing new.
 * Every delivery is counted by `recordDelivery`, with how it ended.
 */
export function webhookRoutes(store: Store, client: Client, recordDelivery: RecordDelivery): Router {
  const router = Router();
  router.post(
    '/registries/:id',
    express.json({ limit: maxBodyBytes, type: () => true, strict: true }),
    async (req, res) => {
      const registryId = idParam(req.params.id);
      const secret = presentedSecret(req.headers.authorization);
      const known =
        secret !== undefined &&
        (await store.registries.verifyWebhookSecret(registryId, secret).catch(() => false));
      if (!known) throw new UnauthorizedError('webhook: missing or wrong secret for this registry');

      const events = parseWebhookBody(req.body);
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
      if (starts.length === 0) {
        recordDelivery(webhookSource(req.body), 'ignored');
        res.status(202).json({ runs: [] });
        return;
      }
      const runs: string[] = [];
      let started = false;
      // An envelope often carries many events for one policy: read its registries once.
      const snapshots = new Map<number, Promise<PolicySnapshot>>();
      for (const { policy, event } of starts) {
        if (!snapshots.has(policy.id)) snapshots.set(policy.id, storedPolicySnapshot(store, policy));
        const snapshot = await snapshots.get(policy.id)!;
        const artifact = { repository: event.repository, tag: event.tag, digest: event.digest };
        const workflowId = eventRunId(snapshot, artifact, event.action);
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
          // The same push delivered again: its run exists (running or done), which is what was asked.
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
            throw new TemporalUnavailableError('Temporal did not accept the run; deliver again', {
              cause: error,
            });
          }
        }
        runs.push(workflowId);
      }
      recordDelivery(webhookSource(req.body), started ? 'started' : 'duplicate');
      res.status(200).json({ runs });
    },
  );
  // Refused deliveries (a bad secret or body, Temporal unavailable) are counted, then answered as usual.
  const countRefusal: ErrorRequestHandler = (error, req, _res, next) => {
    recordDelivery(webhookSource(req.body), refusedDeliveryOutcome(error));
    next(error);
  };
  router.use(countRefusal);
  return router;
}
