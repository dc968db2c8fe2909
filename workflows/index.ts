// The workflows a Regatta worker runs. Only deterministic code is reachable from here.
export { replicationRun } from './replication-run.js';
export { replicationBatch } from './replication-batch.js';
export { driftAudit } from './drift-audit.js';
