// Temporal's side of one run, read from its histories (the run's and its pages'): events and
// bytes per history, activities and local activities by type with their durations, workflow
// tasks and their latency. For the bench's profile (BENCH_PROFILE); asserts nothing.
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time.js';
import protos from '@temporalio/proto';

const { temporal } = protos;
type Event = protos.temporal.api.history.v1.IHistoryEvent;

interface Span {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface HistoryProfile {
  workflowId: string;
  events: number;
  bytes: number;
  /** Scheduled → closed, by activity type. */
  activities: Record<string, Span>;
  /** Local activities (markers), by type where the marker says it. */
  localActivities: number;
  workflowTasks: { count: number; scheduleToStart: Span; startToClose: Span };
  wallMs: number;
  /** Each event's offset from the first (ms) and what it is; for short histories only. */
  timeline: string[];
}

/** Histories of up to this many events are profiled event by event. */
const timelineEvents = 60;

function describeEvent(event: Event, byId: Map<number, Event>): string {
  const type = EventType[event.eventType ?? 0]?.replace(/^EVENT_TYPE_/, '') ?? '?';
  const scheduled = byId.get(
    Number(
      event.activityTaskStartedEventAttributes?.scheduledEventId ??
        event.activityTaskCompletedEventAttributes?.scheduledEventId,
    ),
  );
  const activity =
    event.activityTaskScheduledEventAttributes?.activityType?.name ??
    scheduled?.activityTaskScheduledEventAttributes?.activityType?.name;
  const marker = event.markerRecordedEventAttributes?.markerName;
  return [type, activity ?? marker].filter(Boolean).join(' ');
}

const span = (): Span => ({ count: 0, totalMs: 0, maxMs: 0 });
const add = (into: Span, ms: number) => {
  into.count++;
  into.totalMs += ms;
  into.maxMs = Math.max(into.maxMs, ms);
};
const timeOf = (event: Event) => tsToMs(event.eventTime);
const { EventType } = temporal.api.enums.v1;

function profileHistory(workflowId: string, events: Event[]): HistoryProfile {
  const bytes = temporal.api.history.v1.History.encode({ events }).finish().length;
  const byId = new Map(events.map((event) => [Number(event.eventId), event]));
  const activities: Record<string, Span> = {};
  const workflowTasks = { count: 0, scheduleToStart: span(), startToClose: span() };
  let localActivities = 0;
  for (const event of events) {
    switch (event.eventType) {
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: {
        const attributes =
          event.activityTaskCompletedEventAttributes ??
          event.activityTaskFailedEventAttributes ??
          event.activityTaskCanceledEventAttributes ??
          event.activityTaskTimedOutEventAttributes;
        const scheduled = byId.get(Number(attributes?.scheduledEventId));
        const type = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        add((activities[type] ??= span()), timeOf(event) - (scheduled ? timeOf(scheduled) : timeOf(event)));
        break;
      }
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        localActivities++;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        workflowTasks.count++;
        const scheduled = byId.get(Number(event.workflowTaskStartedEventAttributes?.scheduledEventId));
        if (scheduled) add(workflowTasks.scheduleToStart, timeOf(event) - timeOf(scheduled));
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        const started = byId.get(Number(event.workflowTaskCompletedEventAttributes?.startedEventId));
        if (started) add(workflowTasks.startToClose, timeOf(event) - timeOf(started));
        break;
      }
      default:
    }
  }
  const wallMs = events.length ? timeOf(events[events.length - 1]!) - timeOf(events[0]!) : 0;
  const first = events.length ? timeOf(events[0]!) : 0;
  const timeline =
    events.length <= timelineEvents
      ? events.map(
          (event) => `${String(timeOf(event) - first).padStart(6)} ms  ${describeEvent(event, byId)}`,
        )
      : [];
  return {
    workflowId,
    events: events.length,
    bytes,
    activities,
    localActivities,
    workflowTasks,
    wallMs,
    timeline,
  };
}

/** The run's history and its pages' (children named in it), profiled one by one. */
export async function profileRun(address: string, runWorkflowId: string): Promise<HistoryProfile[]> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const read = async (workflowId: string) =>
      (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const runEvents = await read(runWorkflowId);
    const profiles = [profileHistory(runWorkflowId, runEvents)];
    for (const event of runEvents) {
      const child = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
      if (child) profiles.push(profileHistory(child, await read(child)));
    }
    return profiles;
  } finally {
    await connection.close();
  }
}

/** The profiles as text: the run, then the pages summed (a run may have many). */
export function describeProfiles(profiles: HistoryProfile[]): string {
  const describe = (name: string, items: HistoryProfile[]) => {
    const sum = (pick: (profile: HistoryProfile) => number) =>
      items.reduce((total, item) => total + pick(item), 0);
    const activities: Record<string, Span> = {};
    const tasks = { count: 0, scheduleToStart: span(), startToClose: span() };
    for (const item of items) {
      for (const [type, spanOf] of Object.entries(item.activities)) {
        const into = (activities[type] ??= span());
        into.count += spanOf.count;
        into.totalMs += spanOf.totalMs;
        into.maxMs = Math.max(into.maxMs, spanOf.maxMs);
      }
      for (const key of ['scheduleToStart', 'startToClose'] as const) {
        tasks[key].count += item.workflowTasks[key].count;
        tasks[key].totalMs += item.workflowTasks[key].totalMs;
        tasks[key].maxMs = Math.max(tasks[key].maxMs, item.workflowTasks[key].maxMs);
      }
      tasks.count += item.workflowTasks.count;
    }
    const mean = (of: Span) => (of.count ? (of.totalMs / of.count).toFixed(1) : '–');
    return [
      `${name}: ${items.length} histor${items.length === 1 ? 'y' : 'ies'}, ${sum((item) => item.events)} events, ${(sum((item) => item.bytes) / 1024).toFixed(0)} KiB, wall ${(Math.max(...items.map((item) => item.wallMs)) / 1000).toFixed(2)} s (longest)`,
      `  workflow tasks ${tasks.count}: schedule-to-start mean ${mean(tasks.scheduleToStart)} ms max ${tasks.scheduleToStart.maxMs} ms; start-to-close mean ${mean(tasks.startToClose)} ms max ${tasks.startToClose.maxMs} ms`,
      `  local activities ${sum((item) => item.localActivities)}`,
      ...Object.entries(activities).map(
        ([type, of]) =>
          `  activity ${type}: ${of.count}, scheduled-to-closed mean ${mean(of)} ms, max ${of.maxMs} ms, sum ${(of.totalMs / 1000).toFixed(2)} s`,
      ),
    ].join('\n');
  };
  const [run, ...pages] = profiles;
  return [
    describe('run', [run!]),
    ...run!.timeline.map((line) => `    ${line}`),
    ...(pages.length ? [describe('pages', pages)] : []),
  ].join('\n');
}
