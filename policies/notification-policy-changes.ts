import { InvalidInputError } from '../errors/regatta-error.js';
import { registryOrigin } from '../oci/index.js';
import type {
  NotificationPolicyDefinition,
  NotificationPolicyInput,
  NotificationTarget,
} from './notification-policy.js';
import { maskedSecret } from './registry.js';

type SecretField = 'auth_header' | 'hmac_secret';

/**
 * The definition a POST or PUT body makes, secrets in clear: Harbor's defaults for what is left
 * out, except secrets, which a PUT keeps unless the body sends one (`""` removes it). A stored
 * `auth_header` goes only to the origin it was stored for: a new origin needs it sent again.
 */
export function notificationPolicyFromInput(
  input: NotificationPolicyInput,
  stored?: NotificationPolicyDefinition,
): NotificationPolicyDefinition {
  const sent = input.targets[0]!;
  const previous = stored?.targets[0];
  const secret = (field: SecretField): string | null => {
    const value = sent[field];
    if (value === maskedSecret && !previous?.[field]) {
      throw new InvalidInputError(
        `targets[0].${field}: is "${maskedSecret}" but no secret is stored`,
        `targets[0].${field}`,
      );
    }
    if (value == null || value === maskedSecret) return previous?.[field] ?? null;
    return value === '' ? null : value;
  };
  const target: NotificationTarget = {
    type: sent.type ?? 'http',
    address: sent.address,
    auth_header: secret('auth_header'),
    skip_cert_verify: sent.skip_cert_verify ?? false,
    payload_format: sent.payload_format ?? 'Default',
    hmac_secret: secret('hmac_secret'),
  };
  const keptHeader = sent.auth_header == null || sent.auth_header === maskedSecret;
  if (previous && target.auth_header !== null && keptHeader) {
    const [from, to] = [registryOrigin(previous.address), registryOrigin(target.address)];
    if (from !== to) {
      throw new InvalidInputError(
        `targets[0].auth_header: the address moves the policy from ${from} to ${to}; send the ` +
          'auth_header again (a stored secret is only sent to the origin it was stored for)',
        'targets[0].auth_header',
      );
    }
  }
  return {
    name: input.name,
    description: input.description ?? '',
    enabled: input.enabled ?? true,
    event_types: input.event_types,
    targets: [target],
  };
}
