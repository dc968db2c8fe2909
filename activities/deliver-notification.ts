import { Context } from '@temporalio/activity';
import type { DeliveryRef } from '../contract/index.js';
import { errorCode } from '../errors/regatta-error.js';
import {
  NotificationPayload,
  NotificationPolicyDisabledError,
  postNotification,
  slackBody,
} from '../notifications/index.js';
import { NotFoundError, type Store } from '../store/index.js';
import { beating } from './beating.js';
import type { NotificationSettings } from './notification-settings.js';

/**
 * Posts one queued delivery to its policy's address, secrets read from the store here and
 * nowhere else. Every try is recorded on the delivery (attempts, status code, error code); a
 * failure is thrown as classified (retryable or not) for Temporal to try again or stop. A
 * delivery gone with its policy, or no longer pending, is left alone.
 */
export async function deliverNotification(
  store: Store,
  settings: NotificationSettings,
  { deliveryId }: DeliveryRef,
): Promise<boolean> {
  const found = await store.notificationDeliveries.get(deliveryId);
  if (!found || found.delivery.status !== 'pending') return false;
  const { delivery } = found;
  const policy = await store.notificationPolicies
    .getWithSecrets(delivery.policyId)
    .catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
  if (!policy) return false;
  const context = Context.current();
  const attempts = context.info.attempt;
  const target = policy.targets[0]!;
  // A lost worker, or a cancellation, is noticed within seconds while the receiver answers.
  return beating(
    () => context.heartbeat(),
    async () => {
      try {
        if (!policy.enabled)
          throw new NotificationPolicyDisabledError(`notification policy ${policy.name} is disabled`);
        const body =
          target.type === 'slack'
            ? slackBody(NotificationPayload.parse(JSON.parse(found.payload)))
            : found.payload;
        const { status } = await postNotification({
          address: target.address,
          skipCertVerify: target.skip_cert_verify,
          authHeader: target.auth_header,
          hmacSecret: target.hmac_secret,
          eventType: delivery.eventType,
          deliveryId: String(delivery.id),
          body,
          timeoutMs: settings.schedule.timeoutSeconds * 1000,
          signal: context.cancellationSignal,
        });
        await store.notificationDeliveries.recordAttempt(deliveryId, {
          status: 'delivered',
          attempts,
          statusCode: status,
        });
        await sweepSettled(store, settings, delivery.policyId);
        return true;
      } catch (error) {
        if (context.cancellationSignal.aborted) throw error;
        // As the activity edge sees it: only what is classified permanent is not tried again.
        const permanent = (error as { retryable?: unknown }).retryable === false;
        const status = (error as { status?: unknown }).status;
        await store.notificationDeliveries.recordAttempt(deliveryId, {
          status: permanent ? 'failed' : 'pending',
          attempts,
          statusCode: typeof status === 'number' ? status : undefined,
          errorCode: errorCode(error) ?? 'UNKNOWN',
          error: error instanceof Error ? error.message : String(error),
        });
        if (permanent) await sweepSettled(store, settings, delivery.policyId);
        throw error;
      }
    },
  );
}

/** A delivery whose tries ran out fails (the workflow gave up on it). */
export async function abandonNotification(
  store: Store,
  settings: NotificationSettings,
  { deliveryId }: DeliveryRef,
): Promise<void> {
  const abandoned = await store.notificationDeliveries.abandon(
    deliveryId,
    `given up: no try was accepted within ${settings.schedule.giveUpSeconds} s`,
  );
  if (abandoned) await sweepSettled(store, settings, abandoned.policyId);
}

/** A delivery of the policy settled: its settled deliveries past the newest `deliveriesKept` go. */
async function sweepSettled(store: Store, settings: NotificationSettings, policyId: number): Promise<void> {
  if (settings.deliveriesKept > 0)
    await store.notificationDeliveries.sweep(policyId, settings.deliveriesKept);
}
