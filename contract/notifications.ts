import type { NotificationEventType, VerifyMode } from '../policies/index.js';
import type { ExecutionSummary } from './execution-summary.js';

// What runs and audits hand over to be told: ids and names, counts and times, never a secret.
// Endpoints and their secrets are read by the activities, from the store, when they deliver.

export interface NamedRef {
  id: number;
  name: string;
}

/** A run that ended, as its workflow knew it; its result and tasks are read from the store. */
export interface RunEndedSubject {
  kind: 'run';
  workflowId: string;
  policy: NamedRef;
  sourceRegistryId: number;
  sites: NamedRef[];
}

/** A site whose drift began or ended, with the audit's counts there. */
export interface DriftChangedSubject {
  kind: 'drift';
  policy: NamedRef;
  site: NamedRef;
  verify: VerifyMode;
  auditedAt: string;
  missing: number;
  different: number;
  extra: number;
  unservable: number;
  recoveryPointSeconds: number;
}

export interface NotificationEvent {
  type: NotificationEventType;
  subject: RunEndedSubject | DriftChangedSubject;
}

/** Events to be told, under a key unique to the workflow run telling them (a retry queues nothing twice). */
export interface PrepareNotificationsInput {
  key: string;
  events: NotificationEvent[];
}

/** How deliveries are tried: the request's deadline, the backoff between tries, when to give up. */
export interface DeliverySchedule {
  timeoutSeconds: number;
  firstRetrySeconds: number;
  maximumRetrySeconds: number;
  giveUpSeconds: number;
}

/** Ten seconds a request; retries from 10 s, doubling up to 10 min, for a day. */
export const defaultDeliverySchedule: DeliverySchedule = {
  timeoutSeconds: 10,
  firstRetrySeconds: 10,
  maximumRetrySeconds: 600,
  giveUpSeconds: 86_400,
};

/** The deliveries queued (one per event and matching policy) and the worker's schedule for them. */
export interface PreparedNotifications {
  deliveryIds: number[];
  schedule: DeliverySchedule;
}

export type DeliverNotificationsInput = PreparedNotifications;

export interface DeliveryRef {
  deliveryId: number;
}

/** How many deliveries of a `deliverNotifications` workflow were accepted, and how many failed. */
export interface DeliveryOutcome {
  delivered: number;
  failed: number;
}

/** An audit's counts per destination, to be compared with what the previous audit found. */
export interface RecordDriftStatesInput {
  policy: NamedRef;
  verify: VerifyMode;
  auditedAt: string;
  destinations: Array<Omit<DriftChangedSubject, 'kind' | 'policy' | 'verify' | 'auditedAt'>>;
}

/** The event a run's end is told as: none for a plan, a stopped or a skipped run. */
export function runEndedEvent(summary: ExecutionSummary): NotificationEventType | undefined {
  if (summary.dryRun) return undefined;
  if (summary.status === 'Succeed') return 'run_succeeded';
  if (summary.status === 'Failed') return 'run_failed';
  return undefined;
}

/**
 * What a site's new audit tells: drift where it was in sync (or never audited) is detected, in
 * sync where it drifted is cleared, no change tells nothing.
 */
export function driftChange(
  wasDrifting: boolean | undefined,
  drifting: boolean,
): NotificationEventType | undefined {
  if (drifting && wasDrifting !== true) return 'drift_detected';
  if (!drifting && wasDrifting === true) return 'drift_cleared';
  return undefined;
}

/** The child workflow delivering what one workflow run told: named after it, unique to the run. */
export function notificationWorkflowId(workflowId: string, runId: string): string {
  return `${workflowId}/notify-${runId}`;
}
