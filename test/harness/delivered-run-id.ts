import { parseWebhookBody } from '../../api/webhooks/parse-webhook-body.js';
import type { PolicySnapshot } from '../../policies/index.js';
import { eventRunId } from '../../service/run-identity.js';
import type { RecordedRequest } from './recording-proxy.js';

/**
 * The workflow id of the run the push in a recorded delivery starts (or would start) for `policy`:
 * what a negative check describes directly, since listing runs may lag behind a start.
 */
export function deliveredRunId(
  delivery: RecordedRequest,
  policy: Pick<PolicySnapshot, 'id' | 'name'>,
): string {
  const push = parseWebhookBody(JSON.parse(delivery.body.toString('utf8'))).find(
    (event) => event.action === 'push',
  );
  if (!push) throw new Error(`the delivery to ${delivery.path} carries no push`);
  return eventRunId(policy, push);
}
