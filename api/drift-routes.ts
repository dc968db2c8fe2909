import { Router } from 'express';
import { VerifyMode } from '../policies/index.js';
import type { ReplicationService } from '../service/index.js';
import { toDriftView } from './drift-view.js';
import { idParam } from './id-param.js';
import { optionalEnum } from './query-enum.js';

/**
 * `GET /replication/policies/{id}/drift[?verify=head|deep]`: audits the policy's destinations
 * now (a `driftAudit` workflow, visible in the Temporal UI) and answers with its report.
 */
export function driftRoutes(drift: ReplicationService['drift']): Router {
  const router = Router();
  router.get('/:id/drift', async (req, res) => {
    const verify = optionalEnum(req.query.verify, VerifyMode.options, 'verify') ?? 'off';
    res.json(toDriftView(await drift.audit(idParam(req.params.id), verify)));
  });
  return router;
}
