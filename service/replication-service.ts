import type { Client } from '@temporalio/client';
import type { VerifyMode } from '../policies/index.js';
import type { RegistryAccessRules } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { runDriftAudit } from './drift-audit.js';
import { createPolicies } from './policies.js';
import { defaultScheduleSettings, type ScheduleSettings } from './policy-schedules.js';
import { storedPolicySnapshot } from './policy-snapshot.js';
import { createRegistries } from './registries.js';
import { createRuns } from './runs.js';
import { systemInfo } from './system-info.js';
import { createWebhooks } from './webhooks.js';

export interface ReplicationServiceDependencies {
  store: Store;
  /** A client of the Temporal namespace Regatta's workers poll. */
  client: Client;
  /** Where registries may be reached and Docker configs read (the server's environment); unset, the defaults. */
  registryAccess?: RegistryAccessRules | undefined;
  /** How policy schedules treat overlaps and missed times (the server's environment); unset, the defaults. */
  schedules?: ScheduleSettings | undefined;
}

/**
 * What Regatta does, in one place: registries and policies (with their schedules), runs started,
 * stopped and read, webhook deliveries taken, drift audited, API tokens. The API's routes, the
 * server's start-up and the tests all go through it; nothing else holds the Temporal client.
 */
export function createReplicationService({
  store,
  client,
  registryAccess = {},
  schedules = defaultScheduleSettings,
}: ReplicationServiceDependencies) {
  return {
    registries: createRegistries(store, registryAccess),
    policies: createPolicies(store, client, schedules),
    runs: createRuns(store, client),
    webhooks: createWebhooks(store, client),
    drift: {
      /** Audits the policy's destinations now and waits for the report; concurrent asks share one audit. */
      async audit(policyId: number, verify: VerifyMode) {
        const policy = await store.policies.get(policyId);
        return runDriftAudit(client, await storedPolicySnapshot(store, policy), verify);
      },
    },
    tokens: store.tokens,
    /** Harbor's `/systeminfo`. */
    systemInfo,
  };
}
export type ReplicationService = ReturnType<typeof createReplicationService>;
