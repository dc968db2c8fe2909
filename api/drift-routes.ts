import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Store } from '../store/index.js';
import { storedPolicySnapshot } from '../temporal/policy-snapshot.js';
import { runDriftAudit } from '../temporal/run-drift-audit.js';
import { VerifyMode } from '../policies/index.js';
import { toDriftView } from './drift-view.js';
import { idParam } from './id-param.js';
import { optionalEnum } from './query-enum.js';

/**
 * `GET /replication/policies/{id}/drift[?verify=head|deep]`: audits the policy's destinations
 * now (a `driftAudit` workflow, visible in the Temporal UI) and answers with its report.
 */
export function driftRoutes(store: Store, client: Client): Router {
  const router = Router();
  router.get('/:id/drift', async (req, res) => {
    const policy = await store.policies.get(idParam(req.params.id));
    const verify = optionalEnum(req.query.verify, VerifyMode.options, 'verify') ?? 'off';
    const report = await runDriftAudit(client, await storedPolicySnapshot(store, policy), verify);
    res.json(toDriftView(report));
  });
  return router;
}
