import type { WorkflowHandle } from '@temporalio/client';

/** The types of the activities a workflow scheduled, in order; local activities are not scheduled, so not here. */
export async function scheduledActivities(handle: WorkflowHandle): Promise<string[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? []).flatMap((event) => {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}
