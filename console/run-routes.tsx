import { Router } from 'express';
import { z } from 'zod';
import { ExecutionStatus, TaskStatus } from '../contract/index.js';
import { parseInput } from '../policies/index.js';
import type { ConsoleDependencies } from './console-dependencies.js';
import { formText, formBody } from './forms/form-body.js';
import { pathId } from './forms/path-id.js';
import { sessionOf } from './session/console-guard.js';
import { Layout } from './views/layout.js';
import { DeliveryTable } from './views/notification-views.js';
import { sendPage } from './views/render.js';
import { RunFacts, RunList, RunLive, RunProgress, TaskTable } from './views/run-views.js';

const runsShown = 50;
const tasksPerPage = 50;
const OptionalStatus = ExecutionStatus.optional();
const OptionalTaskStatus = TaskStatus.optional();
const Page = z.coerce.number().int().min(1).max(100_000);

const orUndefined = (text: string) => (text === '' ? undefined : text);

/** `/runs`: the newest runs with status filters; a run with its live progress, tasks and stop. */
export function runRoutes({ service, temporalUi }: ConsoleDependencies): Router {
  const { runs, policies } = service;
  const router = Router();
  const policyNames = async () =>
    new Map(
      (await policies.list({ page: 1, pageSize: 100 })).policies.items.map((policy) => [
        policy.id,
        policy.name,
      ]),
    );
  const workflowUrl = (workflowId: string) =>
    `${temporalUi.url}/namespaces/${encodeURIComponent(temporalUi.namespace)}/workflows/${encodeURIComponent(workflowId)}`;

  router.get('/runs', async (req, res) => {
    const query = formBody(req.query);
    const status = parseInput(OptionalStatus, orUndefined(formText(query, 'status')), 'status');
    const policyText = formText(query, 'policy_id');
    const policyId = policyText ? pathId(policyText, 'policy_id') : undefined;
    const page = await runs.list(
      { page: 1, pageSize: runsShown, exact: [], fuzzy: [], sort: [] },
      { ...(status ? { status } : {}), ...(policyId !== undefined ? { policyId } : {}) },
    );
    sendPage(
      res,
      <Layout title="Runs" session={sessionOf(res)} section="runs">
        <RunList
          runs={page.items}
          total={page.total}
          status={status}
          policyId={policyId}
          policyNames={await policyNames()}
          now={Date.now()}
        />
      </Layout>,
    );
  });

  router.get('/runs/:id', async (req, res) => {
    const query = formBody(req.query);
    const status = parseInput(OptionalTaskStatus, orUndefined(formText(query, 'task_status')), 'task_status');
    const pageNumber = parseInput(Page, formText(query, 'page') || '1', 'page');
    const run = await runs.get(pathId(req.params.id));
    const tasks = await runs.tasks(run.id, {
      offset: (pageNumber - 1) * tasksPerPage,
      limit: tasksPerPage,
      ...(status ? { status } : {}),
    });
    const session = sessionOf(res);
    const policyName = (await policyNames()).get(run.policyId) ?? `policy ${run.policyId}`;
    sendPage(
      res,
      <Layout title={`Run #${run.id}${run.dryRun ? ' (dry run)' : ''}`} session={session} section="runs">
        <RunLive run={run} url={req.originalUrl}>
          <RunProgress run={run} />
          <RunFacts
            run={run}
            policyName={policyName}
            temporalUrl={workflowUrl(run.workflowId)}
            session={session}
          />
          <DeliveryTable deliveries={run.notifications ?? []} />
          <TaskTable
            runId={run.id}
            tasks={tasks.tasks}
            matching={tasks.matching}
            page={pageNumber}
            pageSize={tasksPerPage}
            status={status}
            plan={run.dryRun}
          />
        </RunLive>
      </Layout>,
    );
  });

  router.post('/runs/:id/stop', async (req, res) => {
    const id = pathId(req.params.id);
    await runs.stop(id);
    sessionOf(res).flash = {
      kind: 'done',
      text: `Run #${id} asked to stop: running tasks end, the rest are not started.`,
    };
    res.redirect(303, `/runs/${id}`);
  });

  return router;
}
