import { Context } from '@temporalio/activity';
import { defaultRunSettings, type ReplicationActivities, type RunSettings } from '../contract/index.js';
import type { Store } from '../store/index.js';
import { atActivityEdge } from './application-failure.js';
import { beating } from './beating.js';
import { defaultCopySettings, type CopySettings } from './copy-settings.js';
import { auditDrift } from './audit-drift.js';
import { copyBatch } from './copy-batch.js';
import { deleteArtifact } from './delete-artifact.js';
import { abandonNotification, deliverNotification } from './deliver-notification.js';
import { enumerateArtifacts } from './enumerate-artifacts.js';
import { checkAsListed, checkInPlace, findUpToDate } from './find-up-to-date.js';
import { defaultNotificationSettings, type NotificationSettings } from './notification-settings.js';
import { planPrune, planPrunePages, readPrunePage } from './plan-prune.js';
import { prepareNotifications } from './prepare-notifications.js';
import { recordDriftStates } from './record-drift-states.js';
import {
  closeRun,
  defaultExecutionsKept,
  openRun,
  recordExecution,
  recordPageTasks,
  recordRunResult,
  type RecordUnreadEnds,
} from './record-execution.js';
import type { RegistryClients } from './registry-clients.js';
import { replicateArtifact } from './replicate-artifact.js';
import { createReplicationMeter } from './replication-meter.js';
import { UploadSessions } from './upload-sessions.js';
import { BlobPlacements } from '../registry/index.js';

export interface ReplicationActivityDependencies {
  store: Store;
  clients: RegistryClients;
  /** How copies run (blobs at once, stall timeout); the worker's configuration, else the defaults. */
  copy?: CopySettings;
  /** What runs read from the worker (their retry budget); else the defaults. */
  run?: RunSettings;
  /** Links in payloads and how deliveries are tried; the worker's configuration, else the defaults. */
  notifications?: NotificationSettings;
  /** Closed executions kept per policy (0: all); else Harbor's 50. */
  executionsKept?: number;
  /** Before a run's end sweeps its policy: the ends its older runs could not record; none without Temporal (tests). */
  recordUnreadEnds?: RecordUnreadEnds;
}

/**
 * The activities of a replication run, bound to their dependencies (samples' dependency
 * injection). Each goes through the activity edge, which types its errors for Temporal; the
 * copying ones are counted by the replication meter.
 */
export function createReplicationActivities({
  store,
  clients,
  copy = defaultCopySettings,
  run = defaultRunSettings,
  notifications = defaultNotificationSettings,
  executionsKept = defaultExecutionsKept,
  recordUnreadEnds,
}: ReplicationActivityDependencies): ReplicationActivities {
  const meter = createReplicationMeter((registryId) => clients.nameOf(registryId));
  const sessions = new UploadSessions();
  const placements = new BlobPlacements();
  return {
    recordExecution: (input) => atActivityEdge(() => recordExecution(store, input)),
    recordPageTasks: (input) => atActivityEdge(() => recordPageTasks(store, input)),
    recordRunResult: (input) =>
      atActivityEdge(() => recordRunResult(store, input, executionsKept, recordUnreadEnds)),
    openRun: (input) => atActivityEdge(() => openRun(store, input, run)),
    closeRun: (input) => atActivityEdge(() => closeRun(store, input, executionsKept, recordUnreadEnds)),
    enumerateArtifacts: (input) =>
      atActivityEdge(() => {
        const context = Context.current();
        const { cancellationSignal: signal } = context;
        // A beat a second all along, the check of a listed page included.
        return beating(
          () => context.heartbeat(),
          () =>
            enumerateArtifacts(clients, input, {
              checkAsListed: (check) => meter.listed(check, checkAsListed(clients, check, { signal })),
              signal,
            }),
        );
      }),
    planPrune: (input) => atActivityEdge(() => planPrune(clients, input)),
    planPrunePages: (input) => atActivityEdge(() => planPrunePages(clients, store.prunePlans, input)),
    readPrunePage: (input) => atActivityEdge(() => readPrunePage(store.prunePlans, input)),
    findUpToDate: (input) => meter.upToDate(input, () => atActivityEdge(() => findUpToDate(clients, input))),
    checkInPlace: (input) => meter.inPlace(input, () => atActivityEdge(() => checkInPlace(clients, input))),
    auditDrift: (input) => atActivityEdge(() => auditDrift(clients, store, input)),
    replicateArtifact: (input) =>
      meter.replication(input, () =>
        atActivityEdge(() =>
          input.operation === 'delete'
            ? deleteArtifact(clients, input)
            : replicateArtifact(clients, input, copy, { sessions, placements }),
        ),
      ),
    copyBatch: (input) =>
      meter.batch(input, () =>
        atActivityEdge(() => copyBatch(clients, input, copy, { sessions, placements })),
      ),
    runSettings: async () => run,
    prepareNotifications: (input) => atActivityEdge(() => prepareNotifications(store, notifications, input)),
    deliverNotification: (input) => atActivityEdge(() => deliverNotification(store, notifications, input)),
    abandonNotification: (input) => atActivityEdge(() => abandonNotification(store, notifications, input)),
    recordDriftStates: (input) => atActivityEdge(() => recordDriftStates(store, input)),
  };
}
