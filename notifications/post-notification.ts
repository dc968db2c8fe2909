import { Agent, request } from 'undici';
import { errorCode } from '../errors/regatta-error.js';
import { parseRetryAfter } from '../errors/retry-after.js';
import {
  NotificationRejectedError,
  NotificationServerError,
  NotificationUnreachableError,
} from './notification-errors.js';
import { notificationSignature, signatureHeader, timestampHeader } from './notification-signature.js';

export interface OutgoingNotification {
  address: string;
  /** https: accept any certificate. */
  skipCertVerify: boolean;
  /** Sent as `Authorization`. */
  authHeader: string | null;
  /** Signs the body when set; never sent. */
  hmacSecret: string | null;
  eventType: string;
  /** The same on every try of one delivery, so a receiver can tell a retry. */
  deliveryId: string;
  body: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Unix seconds; the clock unless a test gives one. */
  now?: () => number;
}

/** The longest wait a receiver's `Retry-After` is taken at: past any delivery's give-up time. */
const maxRetryAfterMs = 30 * 24 * 3600 * 1000;

/** Enough of an answer to keep the connection polite; a receiver's body is never read further. */
const maxAnswerBytes = 64 * 1024;

/**
 * Posts one notification: signed, within its deadline, redirects not followed (a signed body goes
 * to the address it was configured for, nowhere else). Resolves with a 2xx status; otherwise
 * throws, retryable for 5xx, 408, 429 (with the receiver's `Retry-After`, if any) and no answer,
 * permanent for other statuses. Errors name the address's origin only: its path and query may
 * hold a token (Slack's do).
 */
export async function postNotification(notification: OutgoingNotification): Promise<{ status: number }> {
  const origin = new URL(notification.address).origin;
  const timestamp = (notification.now ?? (() => Math.floor(Date.now() / 1000)))();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Regatta',
    'x-regatta-event': notification.eventType,
    'x-regatta-delivery': notification.deliveryId,
    [timestampHeader]: String(timestamp),
  };
  if (notification.hmacSecret)
    headers[signatureHeader] = notificationSignature(notification.hmacSecret, timestamp, notification.body);
  if (notification.authHeader) headers.authorization = notification.authHeader;
  const dispatcher = new Agent({
    connect: { rejectUnauthorized: !notification.skipCertVerify },
    connections: 1,
  });
  const deadline = AbortSignal.timeout(notification.timeoutMs);
  const signal = notification.signal ? AbortSignal.any([deadline, notification.signal]) : deadline;
  let status: number;
  let retryAfter: string | string[] | undefined;
  try {
    const response = await request(notification.address, {
      method: 'POST',
      headers,
      body: notification.body,
      dispatcher,
      signal,
      headersTimeout: notification.timeoutMs,
      bodyTimeout: notification.timeoutMs,
    });
    status = response.statusCode;
    retryAfter = response.headers['retry-after'];
    await response.body.dump({ limit: maxAnswerBytes }).catch(() => undefined);
  } catch (error) {
    if (notification.signal?.aborted) throw error;
    const why = deadline.aborted
      ? `no answer within ${notification.timeoutMs / 1000} s`
      : (errorCode((error as { cause?: unknown }).cause) ?? errorCode(error) ?? 'no answer');
    throw new NotificationUnreachableError(`POST to ${origin} failed: ${why}`);
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
  if (status >= 200 && status < 300) return { status };
  const said = `POST to ${origin} answered ${status}`;
  if (status >= 500 || status === 408 || status === 429) {
    const asked = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
    if (asked === undefined) throw new NotificationServerError(said, status);
    const waitMs = Math.min(asked, maxRetryAfterMs);
    // Temporal's next try waits until then rather than on the worker's backoff (the activity edge).
    const resumeAt = new Date(Date.now() + waitMs).toISOString();
    throw new NotificationServerError(
      `${said}; asked to wait ${Math.ceil(waitMs / 1000)} s`,
      status,
      resumeAt,
    );
  }
  throw new NotificationRejectedError(
    status >= 300 && status < 400 ? `${said}; redirects are not followed` : `${said}; not tried again`,
    status,
  );
}
