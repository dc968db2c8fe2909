import { Router } from 'express';
import { z } from 'zod';
import { ExecutionStatus, TaskStatus, Trigger } from '../contract/index.js';
import { parseInput } from '../policies/index.js';
import { executionListFields, taskLog, type ReplicationService } from '../service/index.js';
import { toHarborExecution, toHarborTask } from './execution-view.js';
import { idParam } from './id-param.js';
import { parseListParams, setPageHeaders } from './list-params.js';
import { optionalEnum } from './query-enum.js';

export const StartExecution = z.strictObject({
  policy_id: z.number().int().positive(),
  /** Regatta's extension: plan the run (tasks say what would be copied, skipped, deleted), write nothing. */
  dry_run: z.boolean().optional(),
});

/** Harbor's `/replication/executions`: runs are Temporal workflows, started, stopped and read by the service. */
export function executionRoutes(runs: ReplicationService['runs']): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const { policy_id: policyId, dry_run: dryRun } = parseInput(StartExecution, req.body);
    const execution = await runs.start({ policyId, dryRun });
    res.status(201).location(`${req.baseUrl}/${execution.id}`).end();
  });

  router.get('/', async (req, res) => {
    const query = parseListParams(req, executionListFields);
    const status = optionalEnum(req.query.status, ExecutionStatus.options, 'status');
    const trigger = optionalEnum(req.query.trigger, Trigger.options, 'trigger');
    const policyId =
      req.query.policy_id === undefined ? undefined : idParam(String(req.query.policy_id), 'policy_id');
    const page = await runs.list(query, { status, trigger, policyId });
    setPageHeaders(req, res, query, page.total);
    res.json(page.items.map(toHarborExecution));
  });

  router.get('/:id', async (req, res) => {
    res.json(toHarborExecution(await runs.get(idParam(req.params.id))));
  });

  router.put('/:id', async (req, res) => {
    await runs.stop(idParam(req.params.id));
    res.status(200).end();
  });

  router.get('/:id/tasks', async (req, res) => {
    const query = parseListParams(req, {});
    const status = optionalEnum(req.query.status, TaskStatus.options, 'status');
    const page = await runs.tasks(idParam(req.params.id), {
      offset: (query.page - 1) * query.pageSize,
      limit: query.pageSize,
      ...(status ? { status } : {}),
    });
    setPageHeaders(req, res, query, page.matching);
    res.json(page.tasks.map((task) => toHarborTask(task, page.executionId)));
  });

  router.get('/:id/tasks/:taskId/log', async (req, res) => {
    const task = await runs.task(idParam(req.params.id), idParam(req.params.taskId, 'task_id'));
    res.type('text/plain').send(taskLog(task));
  });

  return router;
}
