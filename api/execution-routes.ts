import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { InvalidInputError } from '../errors/regatta-error.js';
import { parseInput } from '../policies/index.js';
import { executionListFields, NotFoundError, PreconditionError, type Store } from '../store/index.js';
import { storedPolicySnapshot } from '../temporal/policy-snapshot.js';
import { readExecution, readTasks } from '../temporal/read-execution.js';
import { manualRunId } from '../temporal/run-identity.js';
import { hasRunInProgress } from '../temporal/runs-in-progress.js';
import { startReplicationRun } from '../temporal/start-replication-run.js';
import { ExecutionStatus, TaskStatus } from '../workflows/replication-model.js';
import { taskLog, toHarborExecution, toHarborTask } from './execution-view.js';
import { idParam } from './id-param.js';
import { parseListParams, setPageHeaders } from './list-params.js';
import { optionalEnum } from './query-enum.js';

export const StartExecution = z.strictObject({
  policy_id: z.number().int().positive(),
  /** Regatta's extension: plan the run (tasks say what would be copied, skipped, deleted), write nothing. */
  dry_run: z.boolean().optional(),
});

/** Beyond this many executions, a `status` filter (computed from Temporal) is not applied. */
const maxStatusScan = 1000;

/** Harbor's `/replication/executions`: runs are Temporal workflows; the store keeps only the id mapping. */
export function executionRoutes(store: Store, client: Client): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const { policy_id: policyId, dry_run: dryRun = false } = parseInput(StartExecution, req.body);
    const policy = await store.policies.get(policyId).catch((error: unknown) => {
      if (error instanceof NotFoundError)
        throw new InvalidInputError(`policy_id: policy ${policyId} not found`, 'policy_id');
      throw error;
    });
    if (!policy.enabled) throw new PreconditionError(`policy ${policy.name} is disabled`);
    // A plan writes nothing, so it neither waits for nor blocks a real run.
    const skipReason =
      !dryRun && policy.single_active_replication && (await hasRunInProgress(client, policy.id))
        ? 'another execution of this policy is in progress (single_active_replication)'
        : undefined;
    const snapshot = await storedPolicySnapshot(store, policy);
    const workflowId = manualRunId(snapshot, new Date(), randomBytes(2).toString('hex'));
    const handle = await startReplicationRun({
      client,
      workflowId,
      policy: snapshot,
      trigger: 'manual',
      skipReason,
      dryRun,
    });
    const execution = await store.executions.create({
      policyId: policy.id,
      workflowId,
      runId: handle.firstExecutionRunId,
      trigger: 'manual',
    });
    res.status(201).location(`${req.baseUrl}/${execution.id}`).end();
  });

  router.get('/', async (req, res) => {
    const query = parseListParams(req, executionListFields);
    const status = optionalEnum(req.query.status, ExecutionStatus.options, 'status');
    const trigger = optionalEnum(
      req.query.trigger,
      ['manual', 'scheduled', 'event_based'] as const,
      'trigger',
    );
    const policyId =
      req.query.policy_id === undefined ? undefined : idParam(String(req.query.policy_id), 'policy_id');
    const filtered = {
      ...query,
      exact: [...query.exact, ...(trigger ? [{ field: 'trigger', value: trigger }] : [])],
      ...(policyId !== undefined ? { policyId } : {}),
    };
    if (!status) {
      const page = await store.executions.list(filtered);
      setPageHeaders(req, res, query, page.total);
      res.json(
        await Promise.all(
          page.items.map(async (record) => toHarborExecution(await readExecution(client, record))),
        ),
      );
      return;
    }
    // Status lives in Temporal, not the store: read the newest executions and filter them here.
    const records = [];
    for (let page = 1; page * 100 <= maxStatusScan; page++) {
      const scan = await store.executions.list({ ...filtered, page, pageSize: 100 });
      records.push(...scan.items);
      if (page * 100 >= scan.total) break;
    }
    const views = await Promise.all(
      records.map(async (record) => toHarborExecution(await readExecution(client, record))),
    );
    const matching = views.filter((view) => view.status === status);
    setPageHeaders(req, res, query, matching.length);
    res.json(matching.slice((query.page - 1) * query.pageSize, query.page * query.pageSize));
  });

  router.get('/:id', async (req, res) => {
    const record = await store.executions.get(idParam(req.params.id));
    res.json(toHarborExecution(await readExecution(client, record)));
  });

  router.put('/:id', async (req, res) => {
    const record = await store.executions.get(idParam(req.params.id));
    const description = await client.workflow.getHandle(record.workflowId).describe();
    if (description.status.name === 'RUNNING') await client.workflow.getHandle(record.workflowId).cancel();
    res.status(200).end();
  });

  router.get('/:id/tasks', async (req, res) => {
    const record = await store.executions.get(idParam(req.params.id));
    const query = parseListParams(req, {});
    const status = optionalEnum(req.query.status, TaskStatus.options, 'status');
    const tasks = await readTasks(client, record.workflowId, {
      offset: (query.page - 1) * query.pageSize,
      limit: query.pageSize,
      ...(status ? { status } : {}),
    });
    setPageHeaders(req, res, query, tasks?.matching ?? 0);
    res.json((tasks?.tasks ?? []).map((task) => toHarborTask(task, record.id)));
  });

  router.get('/:id/tasks/:taskId/log', async (req, res) => {
    const record = await store.executions.get(idParam(req.params.id));
    const taskId = idParam(req.params.taskId, 'task_id');
    const tasks = await readTasks(client, record.workflowId, { offset: taskId - 1, limit: 1 });
    const task = tasks?.tasks[0];
    if (!task || task.id !== taskId)
      throw new NotFoundError(`task ${taskId} of execution ${record.id} not found`);
    res.type('text/plain').send(taskLog(task));
  });

  return router;
}
