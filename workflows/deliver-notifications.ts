import { isCancellation, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { DeliverNotificationsInput, DeliveryOutcome, ReplicationActivities } from '../contract/index.js';

const { abandonNotification } = proxyLocalActivities<ReplicationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * Delivers what a run or an audit queued, each delivery on its own: tried with backoff (the
 * worker's schedule: first retry, doubling up to a maximum) until the receiver accepts it, it
 * refuses for good, or the schedule's time is up; then it is failed for good. Nobody waits for
 * this workflow: the run that started it has ended already.
 */
export async function deliverNotifications({
  deliveryIds,
  schedule,
}: DeliverNotificationsInput): Promise<DeliveryOutcome> {
  const { deliverNotification } = proxyActivities<ReplicationActivities>({
    startToCloseTimeout: (schedule.timeoutSeconds + 30) * 1000,
    heartbeatTimeout: '10 seconds',
    scheduleToCloseTimeout: schedule.giveUpSeconds * 1000,
    retry: {
      initialInterval: schedule.firstRetrySeconds * 1000,
      backoffCoefficient: 2,
      maximumInterval: schedule.maximumRetrySeconds * 1000,
    },
  });
  const outcome: DeliveryOutcome = { delivered: 0, failed: 0 };
  await Promise.all(
    deliveryIds.map(async (deliveryId) => {
      try {
        if (await deliverNotification({ deliveryId })) outcome.delivered += 1;
      } catch (error) {
        if (isCancellation(error)) throw error;
        await abandonNotification({ deliveryId });
        outcome.failed += 1;
      }
    }),
  );
  return outcome;
}
