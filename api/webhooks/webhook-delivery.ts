import { errorCode } from '../../errors/regatta-error.js';

/** Who sent a delivery, told by the body's fields as parseWebhookBody tells them; unknown when unreadable. */
export type WebhookSource = 'distribution' | 'harbor' | 'unknown';

/**
 * How a delivery ended: `started` (at least one new run), `duplicate` (every run it asks for
 * exists already), `ignored` (nothing to replicate), or refused: `unauthorized` (wrong secret),
 * `invalid` (a body that is not a notification, or not JSON), `throttled` (too many deliveries from
 * one address), `unavailable` (Temporal did not accept the runs, or the store could not be read;
 * the registry delivers again), `error` (anything else).
 */
export type DeliveryOutcome =
  'started' | 'duplicate' | 'ignored' | 'unauthorized' | 'invalid' | 'throttled' | 'unavailable' | 'error';

export type RecordDelivery = (source: WebhookSource, outcome: DeliveryOutcome) => void;

export function webhookSource(body: unknown): WebhookSource {
  if (typeof body !== 'object' || body === null) return 'unknown';
  if ('events' in body) return 'distribution';
  if ('specversion' in body || 'event_data' in body) return 'harbor';
  return 'unknown';
}

const refusals: Record<string, DeliveryOutcome> = {
  UNAUTHORIZED: 'unauthorized',
  INVALID_INPUT: 'invalid',
  UNSUPPORTED_MEDIA_TYPE: 'invalid',
  TOO_MANY_REQUEST: 'throttled',
  TEMPORAL_UNAVAILABLE: 'unavailable',
  STORE_UNAVAILABLE: 'unavailable',
};

/** The outcome of a delivery that failed with `error`; express.json's errors (bad JSON, too large) are invalid. */
export function refusedDeliveryOutcome(error: unknown): DeliveryOutcome {
  const refusal = refusals[errorCode(error) ?? ''];
  if (refusal) return refusal;
  const isBodyParserError =
    typeof error === 'object' && error !== null && 'type' in error && 'status' in error;
  return isBodyParserError && Number(error.status) < 500 ? 'invalid' : 'error';
}
