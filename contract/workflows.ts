import type { DriftAuditInput, DriftReport } from './drift.js';
import type { ExecutionSummary } from './execution-summary.js';
import type { DeliverNotificationsInput, DeliveryOutcome } from './notifications.js';
import type { ReplicationRunInput } from './run-input.js';

// The workflows a worker runs, by type name and signature, as the service starts them and
// schedules name them. The implementations in workflows/ are checked against these types.

/** One execution of one policy. */
export type ReplicationRunWorkflow = (input: ReplicationRunInput) => Promise<ExecutionSummary>;
export const replicationRunType = 'replicationRun';
/** The failure type of a run that ended with failed tasks; its ExecutionSummary is the failure's first detail. */
export const runFailedType = 'RUN_FAILED';

/** A read-only audit of how far a policy's destinations are from its source. */
export type DriftAuditWorkflow = (input: DriftAuditInput) => Promise<DriftReport>;
export const driftAuditType = 'driftAudit';

/** The deliveries a run or an audit queued, each tried until accepted or given up; nobody waits for it. */
export type DeliverNotificationsWorkflow = (input: DeliverNotificationsInput) => Promise<DeliveryOutcome>;
export const deliverNotificationsType = 'deliverNotifications';
