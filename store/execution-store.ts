import type { Selectable } from 'kysely';
import { z } from 'zod';
import { ExecutionSummary } from '../contract/index.js';
import type { ExecutionsTable } from './database.js';
import type { StoreDialect } from './dialect.js';
import {
  pageOfListQuery,
  whereListQuery,
  type ListFields,
  type ListPage,
  type ListQuery,
} from './list-query.js';
import { NotFoundError } from './store-errors.js';

/** Harbor's integer execution id, mapped to the Temporal run that is the execution. */
export const ExecutionRecord = z.object({
  id: z.number().int(),
  policyId: z.number().int(),
  workflowId: z.string(),
  runId: z.string().optional(),
  trigger: z.string(),
  creationTime: z.string(),
  /** How the run ended, once it has: what it reported of itself, kept so it is read without a replay. */
  result: z.object({ summary: ExecutionSummary, closedAt: z.string() }).optional(),
});
export type ExecutionRecord = z.infer<typeof ExecutionRecord>;

export const executionListFields: ListFields = {
  id: { column: 'id', kind: 'number' },
  policy_id: { column: 'policy_id', kind: 'number' },
  trigger: { column: 'trigger', kind: 'string' },
  start_time: { column: 'created_at', kind: 'string' },
};

function record(row: Selectable<ExecutionsTable>): ExecutionRecord {
  return {
    id: row.id,
    policyId: row.policy_id,
    workflowId: row.workflow_id,
    ...(row.run_id !== null ? { runId: row.run_id } : {}),
    trigger: row.trigger,
    creationTime: row.created_at,
    ...(row.summary !== null && row.closed_at !== null
      ? { result: { summary: ExecutionSummary.parse(JSON.parse(row.summary)), closedAt: row.closed_at } }
      : {}),
  };
}

export interface CreateExecutionInput {
  policyId: number;
  workflowId: string;
  runId?: string | undefined;
  trigger: string;
}

/** Closed executions removed by one sweep at most: a first sweep over a long history takes a few runs. */
const sweptAtOnce = 1000;

export function createExecutionStore({ db, kind, isUniqueViolation, writeTransaction }: StoreDialect) {
  const byWorkflowId = async (workflowId: string) => {
    const row = await db
      .selectFrom('executions')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .executeTakeFirst();
    return row ? record(row) : undefined;
  };

  return {
    /** Idempotent on the workflow id: a second call (a retried activity, the API) gets the same id. */
    async create(input: CreateExecutionInput): Promise<ExecutionRecord> {
      try {
        const row = await db
          .insertInto('executions')
          .values({
            policy_id: input.policyId,
            workflow_id: input.workflowId,
            run_id: input.runId ?? null,
            trigger: input.trigger,
            created_at: new Date().toISOString(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return record(row);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const existing = await byWorkflowId(input.workflowId);
        if (!existing) throw error;
        return existing;
      }
    },

    async get(id: number): Promise<ExecutionRecord> {
      const row = await db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError(`execution ${id} not found`);
      return record(row);
    },

    getByWorkflowId: byWorkflowId,

    /**
     * Keeps how a run ended; idempotent (a retried activity writes the same). Answers the run's
     * policy, undefined when the run has no execution.
     */
    async recordResult(
      workflowId: string,
      summary: ExecutionSummary,
      closedAt: string,
    ): Promise<{ policyId: number } | undefined> {
      const row = await db
        .updateTable('executions')
        .set({ summary: JSON.stringify(summary), closed_at: closedAt })
        .where('workflow_id', '=', workflowId)
        .returning('policy_id')
        .executeTakeFirst();
      return row ? { policyId: row.policy_id } : undefined;
    },

    /**
     * Keeps a policy's `kept` newest closed executions and every running one; the older closed
     * ones go with their pages' tasks and their settled notification deliveries (Harbor's
     * execution sweep). How many went; idempotent.
     */
    async sweep(policyId: number, kept: number): Promise<number> {
      return writeTransaction(async (trx) => {
        const swept = await trx
          .selectFrom('executions')
          .select(['id', 'workflow_id'])
          .where('policy_id', '=', policyId)
          .where('closed_at', 'is not', null)
          .orderBy('id', 'desc')
          .limit(sweptAtOnce)
          .offset(kept)
          .execute();
        if (swept.length === 0) return 0;
        const workflowIds = swept.map((row) => row.workflow_id);
        const ids = swept.map((row) => row.id);
        await trx.deleteFrom('run_pages').where('workflow_id', 'in', workflowIds).execute();
        // A delivery still being tried stays: its workflow records each try.
        await trx
          .deleteFrom('notification_deliveries')
          .where('workflow_id', 'in', workflowIds)
          .where('status', '!=', 'pending')
          .execute();
        await trx.deleteFrom('executions').where('id', 'in', ids).execute();
        return swept.length;
      });
    },

    /**
     * A policy's executions with no recorded result that are older than its `kept`-th newest
     * closed one: those the sweep would remove once their end is recorded (a younger one it would
     * keep anyway). Oldest first, at most `limit`; none while fewer than `kept` (at least 1) have
     * closed.
     */
    async unrecordedPastKept(policyId: number, kept: number, limit: number): Promise<ExecutionRecord[]> {
      const rows = await db
        .selectFrom('executions')
        .selectAll()
        .where('policy_id', '=', policyId)
        .where('closed_at', 'is', null)
        .where('id', '<', (eb) =>
          eb
            .selectFrom('executions')
            .select('id')
            .where('policy_id', '=', policyId)
            .where('closed_at', 'is not', null)
            .orderBy('id', 'desc')
            .limit(1)
            .offset(kept - 1),
        )
        .orderBy('id', 'asc')
        .limit(limit)
        .execute();
      return rows.map(record);
    },

    /** Filter by `policyId`, or with `exact` on `policy_id` or `trigger`; newest first unless sorted otherwise. */
    async list({
      policyId,
      ...listQuery
    }: ListQuery & { policyId?: number }): Promise<ListPage<ExecutionRecord>> {
      const query: ListQuery =
        policyId === undefined
          ? listQuery
          : { ...listQuery, exact: [...(listQuery.exact ?? []), { field: 'policy_id', value: policyId }] };
      const base = whereListQuery(db.selectFrom('executions'), executionListFields, query);
      const { total } = await base
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      const sorted = query.sort?.length ? query : { ...query, sort: [{ field: 'id', descending: true }] };
      const rows = await pageOfListQuery(base.selectAll(), executionListFields, sorted, kind).execute();
      return { items: rows.map(record), total: Number(total) };
    },
  };
}
export type ExecutionStore = ReturnType<typeof createExecutionStore>;
