// A recorded history as it would read had each local activity answered after its workflow task
// was completed: the task ends with the activity's marker and a new one holds the commands that
// follow it. Temporal writes that shape when a query comes with a workflow task and a local
// activity answers before the query is: it answers the query with the task and forces a new task
// for the rest (test/unit/workflows-replication-run.test.ts makes one; a CI run recorded one in
// test/fixtures/observed-histories/). On replay the activity then answers before the next task's
// patch markers are known.

interface HistoryEvent {
  eventId: string;
  eventTime?: string;
  eventType: string;
  [attributes: string]: unknown;
}

export interface JsonHistory {
  events: HistoryEvent[];
}

const localActivityMarker = 'core_local_activity';

/** The attributes object of an event (`…EventAttributes`). */
function attributesOf(event: HistoryEvent): Record<string, unknown> | undefined {
  const key = Object.keys(event).find((name) => name.endsWith('EventAttributes'));
  return key ? (event[key] as Record<string, unknown>) : undefined;
}

/** Event ids are strings in a JSON history; every reference to one ends in `EventId`. */
function shiftEventIds(value: unknown, after: number, by: number): unknown {
  if (Array.isArray(value)) return value.map((item) => shiftEventIds(item, after, by));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [
      key,
      (key === 'eventId' || key.endsWith('EventId')) && typeof field === 'string' && Number(field) > after
        ? String(Number(field) + by)
        : shiftEventIds(field, after, by),
    ]),
  );
}

/** The same history with every local activity's marker closing its workflow task. */
export function answeredLate(history: JsonHistory): JsonHistory {
  let events = history.events;
  for (let index = 0; index < events.length; index++) {
    const marker = events[index]!;
    const attributes = attributesOf(marker);
    if (attributes?.markerName !== localActivityMarker) continue;
    const completedId = attributes.workflowTaskCompletedEventId as string;
    const sameTask = (event: HistoryEvent) =>
      attributesOf(event)?.workflowTaskCompletedEventId === completedId;
    if (!events.slice(index + 1).some(sameTask)) continue;
    const markerId = Number(marker.eventId);
    const [scheduled, started, completed] = [markerId + 1, markerId + 2, markerId + 3].map(String) as [
      string,
      string,
      string,
    ];
    const time = marker.eventTime;
    const task: HistoryEvent[] = [
      {
        eventId: scheduled,
        eventTime: time,
        eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
        workflowTaskScheduledEventAttributes: { startToCloseTimeout: '10s', attempt: 1 },
      },
      {
        eventId: started,
        eventTime: time,
        eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED',
        workflowTaskStartedEventAttributes: { scheduledEventId: scheduled },
      },
      {
        eventId: completed,
        eventTime: time,
        eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
        workflowTaskCompletedEventAttributes: { scheduledEventId: scheduled, startedEventId: started },
      },
    ];
    const rest = events.slice(index + 1).map((event) => {
      const shifted = shiftEventIds(event, markerId, task.length) as HistoryEvent;
      if (!sameTask(event)) return shifted;
      const key = Object.keys(shifted).find((name) => name.endsWith('EventAttributes'))!;
      return { ...shifted, [key]: { ...attributesOf(shifted), workflowTaskCompletedEventId: completed } };
    });
    events = [...events.slice(0, index + 1), ...task, ...rest];
    index += task.length;
  }
  return { ...history, events };
}
