import type { Store } from '../store/index.js';
import { atActivityEdge } from './application-failure.js';
import { auditDrift, type AuditDriftInput } from './audit-drift.js';
import { deleteArtifact } from './delete-artifact.js';
import { enumerateArtifacts } from './enumerate-artifacts.js';
import { findUpToDate, type FindUpToDateInput } from './find-up-to-date.js';
import { planPrune, type PlanPruneInput } from './plan-prune.js';
import { recordExecution } from './record-execution.js';
import type { RegistryClients } from './registry-clients.js';
import { replicateArtifact } from './replicate-artifact.js';
import type {
  EnumerateArtifactsInput,
  RecordExecutionInput,
  ReplicateArtifactInput,
} from './replication-activity-types.js';

export interface ReplicationActivityDependencies {
  store: Store;
  clients: RegistryClients;
}

/** The activities of a replication run, bound to their dependencies (samples' dependency injection). */
export function createReplicationActivities({ store, clients }: ReplicationActivityDependencies) {
  return {
    recordExecution: (input: RecordExecutionInput) => atActivityEdge(() => recordExecution(store, input)),
    enumerateArtifacts: (input: EnumerateArtifactsInput) =>
      atActivityEdge(() => enumerateArtifacts(clients, input)),
    planPrune: (input: PlanPruneInput) => atActivityEdge(() => planPrune(clients, input)),
    findUpToDate: (input: FindUpToDateInput) => atActivityEdge(() => findUpToDate(clients, input)),
    auditDrift: (input: AuditDriftInput) => atActivityEdge(() => auditDrift(clients, store, input)),
    replicateArtifact: (input: ReplicateArtifactInput) =>
      atActivityEdge(() =>
        input.operation === 'delete' ? deleteArtifact(clients, input) : replicateArtifact(clients, input),
      ),
  };
}
