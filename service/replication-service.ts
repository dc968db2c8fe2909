import type { Client } from '@temporalio/client';
import type { VerifyMode } from '../policies/index.js';
import type { Store } from '../store/index.js';
import { runDriftAudit } from './drift-audit.js';
import { latestDriftReport } from './latest-drift-report.js';
import { createPolicies } from './policies.js';
import { storedPolicySnapshot } from './policy-snapshot.js';
import { createRegistries } from './registries.js';
import { createRuns } from './runs.js';
import { readSite, readSitesMap } from './sites-map.js';
import { createWebhooks } from './webhooks.js';

export interface ReplicationServiceDependencies {
  store: Store;
  /** A client of the Temporal namespace Regatta's workers poll. */
  client: Client;
}

/**
 * What Regatta does, in one place: registries and policies (with their schedules), runs started,
 * stopped and read, webhook deliveries taken, drift audited, the sites map, API tokens. The API's routes, the
 * server's start-up and the tests all go through it; nothing else holds the Temporal client.
 */
export function createReplicationService({ store, client }: ReplicationServiceDependencies) {
  return {
    registries: createRegistries(store),
    policies: createPolicies(store, client),
    runs: createRuns(store, client),
    webhooks: createWebhooks(store, client),
    drift: {
      /** Audits the policy's destinations now and waits for the report; concurrent asks share one audit. */
      async audit(policyId: number, verify: VerifyMode) {
        const policy = await store.policies.get(policyId);
        return runDriftAudit(client, await storedPolicySnapshot(store, policy), verify);
      },
      /** The report of the policy's newest completed audit, if any; starts nothing. */
      latest: (policyId: number) => latestDriftReport(client, policyId),
    },
    sites: {
      /** Every site's state, drift counts, recovery point and last run, from audits and runs already done. */
      map: () => readSitesMap(store, client),
      /** One site: its state per policy with drift samples, and its policies' newest runs. */
      get: (registryId: number) => readSite(store, client, registryId),
    },
    tokens: store.tokens,
  };
}
export type ReplicationService = ReturnType<typeof createReplicationService>;
