import type { Client } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import type { ExecutionStatus, PageTasks, ReplicationTask, TaskRequest, Trigger } from '../contract/index.js';
import {
  NotFoundError,
  PreconditionError,
  type ExecutionRecord,
  type ListPage,
  type ListQuery,
  type Store,
} from '../store/index.js';
import { storedPolicySnapshot } from './policy-snapshot.js';
import { executionFacts } from './execution-facts.js';
import { readTasks, type ExecutionFacts } from './read-execution.js';
import { manualRunId } from './run-identity.js';
import { hasRunInProgress } from './runs-in-progress.js';
import { startReplicationRun } from './start-replication-run.js';

export interface StartRunInput {
  policyId: number;
  /** Plan only: the run's tasks say what a real run would do; nothing is written. */
  dryRun?: boolean;
}

export interface ExecutionFilter {
  status?: ExecutionStatus;
  trigger?: Trigger;
  policyId?: number;
}

/** Beyond this many executions, a `status` filter (computed from Temporal) is not applied. */
const maxStatusScan = 1000;

/**
 * Harbor's executions: each is a Temporal run; the store keeps only Harbor's integer id for it.
 * Starting, stopping and reading them all go through here.
 */
export function createRuns(store: Store, client: Client) {
  const facts = (records: readonly ExecutionRecord[]) => executionFacts(store, client, records);

  return {
    /** A manual run (or plan) of an enabled policy; with single_active_replication, skipped while one runs. */
    async start({ policyId, dryRun = false }: StartRunInput): Promise<ExecutionRecord> {
      const policy = await store.policies.get(policyId).catch((error: unknown) => {
        // A body naming a policy that does not exist: 404, as Harbor answers, naming the field.
        if (error instanceof NotFoundError)
          throw new NotFoundError(`policy_id: policy ${policyId} not found`, 'policy_id');
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
      return store.executions.create({
        policyId: policy.id,
        workflowId,
        runId: handle.firstExecutionRunId,
        trigger: 'manual',
      });
    },

    /** Newest first; a status filter reads the newest executions' status from Temporal and keeps the matching. */
    async list(query: Required<ListQuery>, filter: ExecutionFilter = {}) {
      const filtered = {
        ...query,
        exact: [...query.exact, ...(filter.trigger ? [{ field: 'trigger', value: filter.trigger }] : [])],
        ...(filter.policyId !== undefined ? { policyId: filter.policyId } : {}),
      };
      if (!filter.status) {
        const page = await store.executions.list(filtered);
        return { items: await facts(page.items), total: page.total } satisfies ListPage<ExecutionFacts>;
      }
      const records: ExecutionRecord[] = [];
      for (let page = 1; page * 100 <= maxStatusScan; page++) {
        const scan = await store.executions.list({ ...filtered, page, pageSize: 100 });
        records.push(...scan.items);
        if (page * 100 >= scan.total) break;
      }
      const matching = (await facts(records)).filter((execution) => execution.status === filter.status);
      return {
        items: matching.slice((query.page - 1) * query.pageSize, query.page * query.pageSize),
        total: matching.length,
      } satisfies ListPage<ExecutionFacts>;
    },

    /** One execution, with the deliveries that told its end. */
    async get(id: number): Promise<ExecutionFacts> {
      const record = await store.executions.get(id);
      const [[execution], notifications] = await Promise.all([
        facts([record]),
        store.notificationDeliveries.ofWorkflow(record.workflowId),
      ]);
      return { ...execution!, notifications };
    },

    /** Harbor's stop: cancels the run if it is still running; a closed run is left as it ended. */
    async stop(id: number): Promise<void> {
      const record = await store.executions.get(id);
      const handle = client.workflow.getHandle(record.workflowId);
      if ((await handle.describe()).status.name === 'RUNNING') await handle.cancel();
    },

    async tasks(id: number, request: TaskRequest): Promise<PageTasks & { executionId: number }> {
      const record = await store.executions.get(id);
      const found = await readTasks(client, store, record, request);
      return { executionId: record.id, tasks: found?.tasks ?? [], matching: found?.matching ?? 0 };
    },

    async task(id: number, taskId: number): Promise<ReplicationTask> {
      const record = await store.executions.get(id);
      const found = await readTasks(client, store, record, { offset: taskId - 1, limit: 1 });
      const task = found?.tasks[0];
      if (!task || task.id !== taskId)
        throw new NotFoundError(`task ${taskId} of execution ${record.id} not found`);
      return task;
    },
  };
}
export type Runs = ReturnType<typeof createRuns>;
