import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex>`: HMAC-SHA256 of `<timestamp>.<raw body>`, keyed with the policy's `hmac_secret`. */
export const signatureHeader = 'x-regatta-signature';
/** Unix seconds when the delivery was signed; part of what is signed, so an old body cannot be replayed. */
export const timestampHeader = 'x-regatta-timestamp';

/** What a receiver computes and compares with the signature header. */
export function notificationSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface SignedDelivery {
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
}

/**
 * What a receiver checks: the signature is the body's under the secret, compared in constant
 * time, and its timestamp within `toleranceSeconds` of `nowSeconds`.
 */
export function verifyNotificationSignature(
  secret: string,
  { body, timestamp, signature }: SignedDelivery,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(notificationSignature(secret, Number(timestamp), body));
  const presented = Buffer.from(signature);
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}
