import { z } from 'zod';
import { eventTime } from './event-time.js';
import type { RegistryEvent } from '../../service/index.js';

const HarborEventData = z.object({
  resources: z
    .array(
      z.object({
        digest: z.string().optional(),
        tag: z.string().optional(),
        resource_url: z.string().optional(),
      }),
    )
    .max(1000),
  repository: z.object({
    repo_full_name: z.string().optional(),
    name: z.string(),
    namespace: z.string().optional(),
  }),
});

/** Harbor's "Default" webhook payload. */
export const HarborDefaultPayload = z.object({
  type: z.string(),
  occur_at: z.number().optional(),
  event_data: HarborEventData,
});

/** Harbor's CloudEvents payload (`harbor.artifact.pushed`, `harbor.artifact.deleted`). */
export const HarborCloudEvent = z.object({
  specversion: z.string(),
  id: z.string().optional(),
  type: z.string(),
  time: z.string().optional(),
  data: HarborEventData,
});

const actions: Record<string, RegistryEvent['action']> = {
  PUSH_ARTIFACT: 'push',
  DELETE_ARTIFACT: 'delete',
  'harbor.artifact.pushed': 'push',
  'harbor.artifact.deleted': 'delete',
};

/** One event per resource of an artifact push or delete; other Harbor event types yield none. */
export function harborRegistryEvents(
  type: string,
  data: z.infer<typeof HarborEventData>,
  occurredAt?: string | number,
  /** A CloudEvent's id; Harbor's Default payload has none. */
  eventId?: string,
): RegistryEvent[] {
  const action = actions[type];
  if (!action) return [];
  const repository =
    data.repository.repo_full_name ??
    (data.repository.namespace
      ? `${data.repository.namespace}/${data.repository.name}`
      : data.repository.name);
  return data.resources
    .filter((resource) => action === 'delete' || resource.tag)
    .map((resource) => ({
      action,
      repository,
      tag: resource.tag || undefined,
      digest: resource.digest,
      ...eventTime(occurredAt),
      ...(eventId ? { eventId } : {}),
    }));
}
