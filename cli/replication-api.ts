import { Client } from '@temporalio/client';
import { driftRoutes } from '../api/drift-routes.js';
import { executionRoutes } from '../api/execution-routes.js';
import { replicationOpenApiPaths } from '../api/replication-openapi.js';
import { driftSchedule, policySchedule, policyScheduleHooks } from '../api/policy-schedule-hooks.js';
import { webhookRoutes } from '../api/webhooks/webhook-routes.js';
import {
  reconcilePolicySchedules,
  type DriftSchedule,
  type PolicySchedule,
} from '../temporal/policy-schedules.js';
import type { Environment } from './environment.js';
import type { ApiExtension } from './processes.js';

/**
 * What the API adds on Temporal: executions, drift audits, schedules kept with their policies
 * (made to agree at start-up), and webhooks.
 */
export function replicationApi(environment: Environment): ApiExtension {
  return async ({ store, connection, logger, metrics }) => {
    const client = new Client({ connection, namespace: environment.TEMPORAL_NAMESPACE });
    const wanted: PolicySchedule[] = [];
    const wantedDrift: DriftSchedule[] = [];
    for (let page = 1; ; page++) {
      const { items, total } = await store.policies.list({ page, pageSize: 100 });
      for (const policy of items) {
        const schedule = await policySchedule(store, policy);
        if (schedule) wanted.push(schedule);
        const audits = await driftSchedule(store, policy);
        if (audits) wantedDrift.push(audits);
      }
      if (page * 100 >= total) break;
    }
    await reconcilePolicySchedules(client, wanted, logger, wantedDrift);
    return {
      apiRoutes: [
        { path: '/replication/executions', router: executionRoutes(store, client) },
        { path: '/replication/policies', router: driftRoutes(store, client) },
      ],
      publicRoutes: [{ path: '/webhooks', router: webhookRoutes(store, client, metrics.webhookDelivered) }],
      policyHooks: policyScheduleHooks(store, client),
      openApiPaths: replicationOpenApiPaths,
    };
  };
}
