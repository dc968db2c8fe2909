// The workflows a Regatta worker runs. Only deterministic code is reachable from here.
export { replicationRun } from './replication-run.js';
export { replicationPage } from './replication-page.js';
export { driftAudit } from './drift-audit.js';
export { deliverNotifications } from './deliver-notifications.js';
// The pages of runs started before pages were copied in batches; they finish on it.
export { replicationBatch } from './legacy/replication-batch.js';
