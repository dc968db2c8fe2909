import { Router, type Request, type Response } from 'express';
import { InvalidInputError } from '../errors/regatta-error.js';
import { VerifyMode } from '../policies/index.js';
import type { DriftAuditState, ReplicationService } from '../service/index.js';
import { requirePermission } from './auth/authenticate.js';
import { toDriftView } from './drift-view.js';
import { idParam } from './id-param.js';
import { optionalEnum } from './query-enum.js';

/** How long a drift GET waits for its audit before it answers 202 with where to ask again. */
export const defaultDriftWaitMs = 25_000;
/** What a 202 tells the client to wait before asking the status URL. */
const retryAfterSeconds = 5;

/** A Temporal run id: a UUID. */
export const runIdPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function runIdParam(value: string | string[] | undefined): string {
  if (typeof value !== 'string' || !runIdPattern.test(value))
    throw new InvalidInputError('run_id: must be a run id (a UUID)', 'run_id');
  return value;
}

function verifyParam(value: unknown): VerifyMode {
  return optionalEnum(value, VerifyMode.options, 'verify') ?? 'off';
}

/** The report (200), or 202 with the status URL of the audit still running. */
function answer(req: Request, res: Response, policyId: number, verify: VerifyMode, state: DriftAuditState) {
  if ('report' in state) {
    res.json(toDriftView(state.report));
    return;
  }
  const location = `${req.baseUrl}/${policyId}/drift/${verify}/${state.runId}`;
  res
    .status(202)
    .location(location)
    .setHeader('Retry-After', String(retryAfterSeconds))
    .json({ policy_id: policyId, verify, run_id: state.runId, status: 'InProgress', location });
}

/**
 * A policy's drift: `GET /{id}/drift[?verify=off|head|deep]` audits its destinations now (a
 * `driftAudit` workflow, visible in the Temporal UI), so it needs the operator role; an audit
 * that outlives `waitMs` is answered 202 with the status URL `/{id}/drift/{verify}/{run_id}`,
 * which gives the report once it is done. `GET /{id}/drift/last` reads the newest finished
 * report, starting nothing, for any role.
 */
export function driftRoutes(drift: ReplicationService['drift'], waitMs = defaultDriftWaitMs): Router {
  const router = Router();

  router.get('/:id/drift', requirePermission('operate'), async (req, res) => {
    const policyId = idParam(req.params.id);
    const verify = verifyParam(req.query.verify);
    answer(req, res, policyId, verify, await drift.audit(policyId, verify, waitMs));
  });

  router.get('/:id/drift/last', async (req, res) => {
    const verify = optionalEnum(req.query.verify, VerifyMode.options, 'verify');
    res.json(toDriftView(await drift.last(idParam(req.params.id), verify)));
  });

  router.get('/:id/drift/:verify/:runId', async (req, res) => {
    const policyId = idParam(req.params.id);
    const verify = verifyParam(req.params.verify);
    answer(req, res, policyId, verify, await drift.read(policyId, verify, runIdParam(req.params.runId)));
  });

  return router;
}
