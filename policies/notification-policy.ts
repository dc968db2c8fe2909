import { z } from 'zod';
import { NotificationAddress } from './notification-address.js';
import { nullishFields } from './nullish-fields.js';
import { maskedSecret } from './registry.js';

/** What Regatta tells: a run ended (not a dry run, not a stopped one), a site's drift began or ended. */
export const NotificationEventType = z.enum([
  'run_failed',
  'run_succeeded',
  'drift_detected',
  'drift_cleared',
]);
export type NotificationEventType = z.infer<typeof NotificationEventType>;

/** Harbor's notify types: `http` posts Regatta's JSON, `slack` a Slack incoming webhook's message. */
export const NotifyType = z.enum(['http', 'slack']);
export type NotifyType = z.infer<typeof NotifyType>;

// In a body, `""` removes a secret and `"*****"` (copied from a GET) keeps the stored one.
const keepOrRemove = (secret: string) => secret === '' || secret === maskedSecret;

/** Sent as the `Authorization` header of every delivery (Harbor's `auth_header`). */
const AuthHeader = z
  .string()
  .max(4096)
  .regex(/^[\t -~]*$/, 'must be visible ASCII')
  .meta({ pattern: '^[\\t -~]*$' });

/** Regatta's extension: the key of each delivery's HMAC-SHA256 signature; never sent. */
const HmacSecret = z
  .string()
  .max(256)
  .refine((secret) => keepOrRemove(secret) || secret.length >= 16, 'must be at least 16 characters')
  .meta({ anyOf: [{ maxLength: 0 }, { const: maskedSecret }, { minLength: 16 }] });

/** Harbor's WebhookTargetObject, plus `hmac_secret`. */
export const NotificationTarget = z.object({
  type: NotifyType,
  address: NotificationAddress,
  auth_header: AuthHeader.nullable(),
  /** https only: accept any certificate (Harbor's `skip_cert_verify`). */
  skip_cert_verify: z.boolean(),
  /** Harbor's `Default` is the one format of `http` targets; `slack` targets get Slack's. */
  payload_format: z.enum(['Default']),
  hmac_secret: HmacSecret.nullable(),
});
export type NotificationTarget = z.infer<typeof NotificationTarget>;

const uniqueEvents = (events: readonly string[]) => new Set(events).size === events.length;

/**
 * A notification policy as Regatta keeps it: Harbor's WebhookPolicy without a project, one
 * target, Regatta's event types. Every other shape is derived from this one schema: the POST and
 * PUT body, the stored record and the API's view.
 */
export const NotificationPolicyDefinition = z.object({
  name: z.string().trim().min(1).max(255),
  description: z.string().max(1024),
  enabled: z.boolean(),
  event_types: z
    .array(NotificationEventType)
    .min(1)
    .max(NotificationEventType.options.length)
    .refine(uniqueEvents, 'names an event type twice')
    .meta({ uniqueItems: true }),
  targets: z.array(NotificationTarget).length(1, 'must hold exactly one target'),
});
export type NotificationPolicyDefinition = z.infer<typeof NotificationPolicyDefinition>;

/** A stored policy: its definition, id and times. Read from the store its secrets are `"*****"` where set. */
export const StoredNotificationPolicy = NotificationPolicyDefinition.extend({
  id: z.number().int(),
  creation_time: z.string(),
  update_time: z.string(),
});
export type StoredNotificationPolicy = z.infer<typeof StoredNotificationPolicy>;

/**
 * The body of `POST` and `PUT /webhook/policies`: Harbor's WebhookPolicy as its clients send it
 * (a target's `type` and `payload_format` may be left out). Fields copied back from a GET are
 * accepted and ignored; secrets left out or `"*****"` keep the stored ones on a PUT.
 */
export const NotificationPolicyInput = NotificationPolicyDefinition.partial()
  .required({ name: true, event_types: true })
  .extend({
    targets: z
      .array(NotificationTarget.partial().required({ address: true }).strict())
      .length(1, 'must hold exactly one target'),
    ...nullishFields({
      id: z.number().int().positive(),
      project_id: z.unknown(),
      creator: z.unknown(),
      creation_time: z.unknown(),
      update_time: z.unknown(),
    }),
  })
  .strict();
export type NotificationPolicyInput = z.infer<typeof NotificationPolicyInput>;

/** A policy as the API returns it: each secret that is set reads `"*****"`. */
export const NotificationPolicy = StoredNotificationPolicy.extend({
  targets: z.array(
    NotificationTarget.extend({
      auth_header: z.literal(maskedSecret).optional(),
      hmac_secret: z.literal(maskedSecret).optional(),
    }),
  ),
});
export type NotificationPolicy = z.infer<typeof NotificationPolicy>;

/** Renders a stored policy (secrets already masked by the store) in Harbor's shape. */
export function notificationPolicyView(policy: StoredNotificationPolicy): NotificationPolicy {
  return {
    ...policy,
    targets: policy.targets.map(({ auth_header, hmac_secret, ...target }) => ({
      ...target,
      ...(auth_header !== null ? { auth_header: maskedSecret } : {}),
      ...(hmac_secret !== null ? { hmac_secret: maskedSecret } : {}),
    })),
  };
}

/** Whether a policy is told of an event of this type. */
export function wantsEvent(
  policy: Pick<NotificationPolicyDefinition, 'enabled' | 'event_types'>,
  type: NotificationEventType,
): boolean {
  return policy.enabled && policy.event_types.includes(type);
}
