import type {
  NotificationEvent,
  PrepareNotificationsInput,
  PreparedNotifications,
  ReplicationTask,
  RunEndedSubject,
  Trigger,
} from '../contract/index.js';
import { InvalidInputError } from '../errors/regatta-error.js';
import {
  driftPayload,
  runPayload,
  type NotificationPayload,
  type RunPayload,
} from '../notifications/index.js';
import { NotFoundError, type QueuedDelivery, type Store } from '../store/index.js';
import type { NotificationSettings } from './notification-settings.js';

/** Pages of a run whose tasks are read for the reasons of its failures; enough for 50,000 tasks and more. */
const maxPagesRead = 100;

/** A run's tasks as its pages kept them, the first `maxPagesRead` pages; complete when those were all. */
async function keptTasks(store: Store, workflowId: string) {
  const pages = await store.runPages.pages(workflowId);
  const tasks: ReplicationTask[] = [];
  for (const page of pages.slice(0, maxPagesRead))
    tasks.push(...(await store.runPages.tasks(workflowId, page.page)));
  return { tasks, complete: pages.length <= maxPagesRead };
}

async function endedRunPayload(
  store: Store,
  baseUrl: string,
  type: RunPayload['type'],
  subject: RunEndedSubject,
): Promise<NotificationPayload> {
  const record = await store.executions.getByWorkflowId(subject.workflowId);
  // The run keeps its result before it tells its end; without it there is nothing true to tell.
  if (!record?.result) throw new NotFoundError(`run ${subject.workflowId} has no result kept`);
  const source = (await store.registries.byIds([subject.sourceRegistryId])).get(subject.sourceRegistryId);
  const { tasks, complete } =
    record.result.summary.counts.failed > 0
      ? await keptTasks(store, subject.workflowId)
      : { tasks: [], complete: true };
  return runPayload({
    type,
    subject,
    executionId: record.id,
    trigger: record.trigger as Trigger,
    summary: record.result.summary,
    endedAt: record.result.closedAt,
    sourceName: source?.name ?? `registry-${subject.sourceRegistryId}`,
    tasks,
    tasksComplete: complete,
    baseUrl,
  });
}

function payloadOf(store: Store, baseUrl: string, event: NotificationEvent): Promise<NotificationPayload> {
  const { type, subject } = event;
  if (subject.kind === 'run' && (type === 'run_failed' || type === 'run_succeeded'))
    return endedRunPayload(store, baseUrl, type, subject);
  if (subject.kind === 'drift' && (type === 'drift_detected' || type === 'drift_cleared'))
    return Promise.resolve(driftPayload(type, subject, baseUrl));
  throw new InvalidInputError(`a ${type} event is not about a ${subject.kind}`, 'events');
}

/**
 * Queues one delivery per event and notification policy that wants it, each with its payload
 * built here, once: every try sends the same body. Idempotent under the input's key, so a retry
 * returns the deliveries queued the first time.
 */
export async function prepareNotifications(
  store: Store,
  settings: NotificationSettings,
  input: PrepareNotificationsInput,
): Promise<PreparedNotifications> {
  const queued: QueuedDelivery[] = [];
  for (const [index, event] of input.events.entries()) {
    const policies = await store.notificationPolicies.wanting(event.type);
    if (policies.length === 0) continue;
    const payload = JSON.stringify(await payloadOf(store, settings.baseUrl, event));
    for (const policy of policies) {
      queued.push({
        eventKey: `${input.key}#${index}`,
        policyId: policy.id,
        eventType: event.type,
        workflowId: event.subject.kind === 'run' ? event.subject.workflowId : undefined,
        payload,
      });
    }
  }
  return { deliveryIds: await store.notificationDeliveries.queue(queued), schedule: settings.schedule };
}
