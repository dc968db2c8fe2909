import {
  CancellationScope,
  log,
  ParentClosePolicy,
  proxyLocalActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import {
  notificationWorkflowId,
  type DriftReport,
  type NotificationEvent,
  type ReplicationActivities,
} from '../contract/index.js';
import { deliverNotifications } from './deliver-notifications.js';

// Short reads and writes of the store, by the worker running the workflow.
const { prepareNotifications, recordDriftStates } = proxyLocalActivities<ReplicationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * Queues events to be told and starts the child delivering them, which the caller does not wait
 * for and which outlives it (ABANDON): a receiver that is down never keeps a run open or changes
 * how it ended. What cannot be queued is logged, never thrown: telling is not the run's outcome.
 */
export async function queueNotifications(events: NotificationEvent[]): Promise<void> {
  if (events.length === 0) return;
  const { workflowId, runId } = workflowInfo();
  try {
    await CancellationScope.nonCancellable(async () => {
      const prepared = await prepareNotifications({ key: `${workflowId}/${runId}`, events });
      if (prepared.deliveryIds.length === 0) return;
      await startChild(deliverNotifications, {
        workflowId: notificationWorkflowId(workflowId, runId),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [prepared],
        staticSummary: `${[...new Set(events.map((event) => event.type))].join(', ')}: ${prepared.deliveryIds.length} deliveries`,
      });
    });
  } catch (error) {
    log.warn('notifications were not queued', { workflowId, error: String(error) });
  }
}

/** Keeps each audited site's drift state; the sites whose state changed are told. */
export async function queueDriftChanges(report: DriftReport): Promise<void> {
  let events: NotificationEvent[];
  try {
    events = await CancellationScope.nonCancellable(() =>
      recordDriftStates({
        policy: { id: report.policyId, name: report.policyName },
        verify: report.verify,
        auditedAt: report.finishedAt,
        destinations: report.destinations.map((destination) => ({
          site: { id: destination.registryId, name: destination.name },
          missing: destination.missing,
          different: destination.different,
          extra: destination.extra,
          unservable: destination.unservable,
          recoveryPointSeconds: destination.recoveryPointSeconds,
        })),
      }),
    );
  } catch (error) {
    log.warn('drift states were not kept', { policyId: report.policyId, error: String(error) });
    return;
  }
  await queueNotifications(events);
}
