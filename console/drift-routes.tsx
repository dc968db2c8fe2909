import { Router } from 'express';
import { errorCode } from '../errors/regatta-error.js';
import { parseInput, VerifyMode } from '../policies/index.js';
import type { ConsoleDependencies } from './console-dependencies.js';
import { formBody, formText } from './forms/form-body.js';
import { pathId } from './forms/path-id.js';
import { sessionOf } from './session/console-guard.js';
import { PolicyDrift } from './views/drift-views.js';
import { Layout } from './views/layout.js';
import { sendPage } from './views/render.js';

/** `/drift`: each policy's newest audit per site; audit or verify now (admins). */
export function driftRoutes({ service, httpStatusOf, driftWaitMs }: ConsoleDependencies): Router {
  const { policies, drift } = service;
  const router = Router();

  router.get('/drift', async (req, res) => {
    const policyText = formText(formBody(req.query), 'policy_id');
    const shown =
      policyText !== ''
        ? [(await policies.get(pathId(policyText, 'policy_id'))).policies]
        : (await policies.list({ page: 1, pageSize: 100 })).policies.items;
    const reports = await Promise.all(shown.map((policy) => drift.latest(policy.id)));
    const session = sessionOf(res);
    const now = Date.now();
    sendPage(
      res,
      <Layout title="Drift" session={session} section="drift">
        {shown.length === 0 && <p class="muted">No policy yet.</p>}
        {shown.map((policy, index) => (
          <PolicyDrift policy={policy} report={reports[index]} session={session} now={now} />
        ))}
      </Layout>,
    );
  });

  router.post('/drift/:id/audit', async (req, res) => {
    const id = pathId(req.params.id);
    const verify = parseInput(VerifyMode, formText(formBody(req.body), 'verify') || 'off', 'verify');
    const session = sessionOf(res);
    try {
      const audit = await drift.audit(id, verify, driftWaitMs);
      if (!('report' in audit)) {
        session.flash = {
          kind: 'done',
          text: 'The audit is under way; its report shows here when it is done.',
        };
        res.redirect(303, `/drift?policy_id=${id}#policy-${id}`);
        return;
      }
      const { report } = audit;
      const drifting = report.destinations.filter(
        (site) => site.missing + site.different + site.extra + site.unservable > 0,
      );
      session.flash = {
        kind: drifting.length > 0 ? 'error' : 'done',
        text:
          drifting.length > 0
            ? `${report.policyName}: drift at ${drifting.map((site) => site.name).join(', ')}.`
            : `${report.policyName}: every site in sync.`,
      };
    } catch (error) {
      if (errorCode(error) !== 'DRIFT_AUDIT_FAILED' && httpStatusOf(error) >= 500) throw error;
      session.flash = { kind: 'error', text: (error as Error).message };
    }
    res.redirect(303, `/drift?policy_id=${id}#policy-${id}`);
  });

  return router;
}
