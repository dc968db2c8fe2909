import type { NotificationDelivery } from '../service/index.js';

/**
 * A delivery as the API shows it, in the words of Harbor's WebhookJob (`policy_id`,
 * `event_type`, `status`, times), with how its tries went: `attempts`, the receiver's last status
 * code, the last error's code and words. Never a secret.
 */
export function toDeliveryView(delivery: NotificationDelivery) {
  return {
    id: delivery.id,
    policy_id: delivery.policyId,
    policy_name: delivery.policyName,
    event_type: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    last_status_code: delivery.lastStatusCode ?? null,
    last_error_code: delivery.lastErrorCode ?? null,
    last_error: delivery.lastError ?? null,
    creation_time: delivery.creationTime,
    update_time: delivery.updateTime,
    delivered_time: delivery.deliveredTime ?? null,
  };
}
