import { z } from 'zod';
import { InvalidInputError } from '../../errors/regatta-error.js';
import { parseInput } from '../../policies/index.js';
import { isDigest, isRepositoryName, isTag } from '../../oci/index.js';
import { DistributionEnvelope, distributionRegistryEvents } from './distribution-events.js';
import { HarborCloudEvent, HarborDefaultPayload, harborRegistryEvents } from './harbor-events.js';
import type { RegistryEvent } from '../../service/index.js';

const Shape = z.object({}).passthrough();

/** Which of the three payloads a body is, told by its fields (senders set Content-Type loosely). */
function eventsOf(body: unknown): RegistryEvent[] {
  const object = parseInput(Shape, body);
  if ('events' in object) return distributionRegistryEvents(parseInput(DistributionEnvelope, object));
  if ('specversion' in object) {
    const event = parseInput(HarborCloudEvent, object);
    return harborRegistryEvents(event.type, event.data, event.time, event.id);
  }
  if ('event_data' in object) {
    const payload = parseInput(HarborDefaultPayload, object);
    return harborRegistryEvents(payload.type, payload.event_data, payload.occur_at);
  }
  throw new InvalidInputError(
    'body: is neither a Distribution envelope nor a Harbor webhook payload',
    'body',
  );
}

/**
 * The replication-relevant events of a webhook body, each checked against the OCI grammar before
 * its names can reach a URL or a workflow id (`../x` and the like are refused here).
 */
export function parseWebhookBody(body: unknown): RegistryEvent[] {
  const events = eventsOf(body);
  for (const event of events) {
    if (!isRepositoryName(event.repository)) {
      throw new InvalidInputError(
        `repository: "${event.repository.slice(0, 100)}" is not a valid repository name`,
        'repository',
      );
    }
    if (event.tag !== undefined && !isTag(event.tag))
      throw new InvalidInputError('tag: is not a valid tag', 'tag');
    if (event.digest !== undefined && !isDigest(event.digest))
      throw new InvalidInputError('digest: is not a valid digest', 'digest');
  }
  return events;
}
