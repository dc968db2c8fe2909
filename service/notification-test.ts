import { randomUUID } from 'node:crypto';
import { errorCode, RegattaError } from '../errors/regatta-error.js';
import { postNotification, slackBody, type PingPayload } from '../notifications/index.js';
import type { Store } from '../store/index.js';

/** `POST /webhook/policies/{id}/test` reached a verdict: the receiver did not accept the ping. */
export class NotificationTestFailedError extends RegattaError {
  readonly code = 'NOTIFICATION_TEST_FAILED';
  readonly retryable = false;
  readonly field = 'targets[0].address';
}

/** A test answers sooner than a delivery may: someone waits for it. */
const testTimeoutMs = 5_000;

/**
 * Sends a policy's receiver a `ping`, signed and authorized as its deliveries are, once, now.
 * Resolves with the receiver's 2xx status; anything else is a 400 saying what it answered.
 */
export async function testNotificationPolicy(store: Store, id: number): Promise<{ status: number }> {
  const policy = await store.notificationPolicies.getWithSecrets(id);
  const target = policy.targets[0]!;
  const ping: PingPayload = {
    type: 'ping',
    occurred_at: new Date().toISOString(),
    notification_policy: { id: policy.id, name: policy.name },
  };
  try {
    return await postNotification({
      address: target.address,
      skipCertVerify: target.skip_cert_verify,
      authHeader: target.auth_header,
      hmacSecret: target.hmac_secret,
      eventType: ping.type,
      deliveryId: `test-${randomUUID()}`,
      body: target.type === 'slack' ? slackBody(ping) : JSON.stringify(ping),
      timeoutMs: testTimeoutMs,
    });
  } catch (error) {
    throw new NotificationTestFailedError(
      `targets[0].address: ${(error as Error).message} (${errorCode(error) ?? 'UNKNOWN'})`,
      { cause: error },
    );
  }
}
