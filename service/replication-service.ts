import type { Client } from '@temporalio/client';
import type { RegistryAccessRules } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { createDrift } from './drift.js';
import { createNotificationPolicies } from './notification-policies.js';
import { createPolicies } from './policies.js';
import { defaultScheduleSettings, type ScheduleSettings } from './policy-schedules.js';
import { createRegistries } from './registries.js';
import { createRuns } from './runs.js';
import { systemInfo } from './system-info.js';
import { readSite, readSitesMap } from './sites-map.js';
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
 * stopped and read, webhook deliveries taken, drift audited, notification policies, the sites
 * map, API tokens. The API's routes, the
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
    drift: createDrift(store, client),
    notifications: createNotificationPolicies(store),
    sites: {
      /** Every site's state, drift counts, recovery point and last run, from audits and runs already done. */
      map: () => readSitesMap(store, client),
      /** One site: its state per policy with drift samples, and its policies' newest runs. */
      get: (registryId: number) => readSite(store, client, registryId),
    },
    tokens: store.tokens,
    /** Harbor's `/systeminfo`. */
    systemInfo,
  };
}
export type ReplicationService = ReturnType<typeof createReplicationService>;
