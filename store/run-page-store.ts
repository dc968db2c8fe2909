import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { ReplicationTask } from '../contract/index.js';
import type { StoreDialect } from './dialect.js';

/** One page of a run as kept once it ended: its task numbering and its tasks. */
export interface RunPage {
  page: number;
  firstTaskId: number;
  taskCount: number;
}

const Tasks = z.array(ReplicationTask);

/**
 * The tasks of a run's pages, written as each page ends, so the tasks of a closed run are read
 * from here and never by replaying its workflows with today's code. A page's tasks are one gzip'd
 * JSON value: a 500-task page is a few kilobytes.
 */
export function createRunPageStore({ db }: StoreDialect) {
  return {
    /** Idempotent: a retried write of the same page replaces it. */
    async record(workflowId: string, page: RunPage, tasks: readonly ReplicationTask[]): Promise<void> {
      const row = {
        workflow_id: workflowId,
        page: page.page,
        first_task_id: page.firstTaskId,
        task_count: page.taskCount,
        tasks: gzipSync(JSON.stringify(tasks)).toString('base64'),
      };
      await db
        .insertInto('run_pages')
        .values(row)
        .onConflict((conflict) =>
          conflict.columns(['workflow_id', 'page']).doUpdateSet({
            first_task_id: row.first_task_id,
            task_count: row.task_count,
            tasks: row.tasks,
          }),
        )
        .execute();
    },

    /** The pages kept for a run, in order; empty for a run that kept none (still running, or older). */
    async pages(workflowId: string): Promise<RunPage[]> {
      const rows = await db
        .selectFrom('run_pages')
        .select(['page', 'first_task_id', 'task_count'])
        .where('workflow_id', '=', workflowId)
        .orderBy('page')
        .execute();
      return rows.map((row) => ({
        page: row.page,
        firstTaskId: row.first_task_id,
        taskCount: row.task_count,
      }));
    },

    async tasks(workflowId: string, page: number): Promise<ReplicationTask[]> {
      const row = await db
        .selectFrom('run_pages')
        .select('tasks')
        .where('workflow_id', '=', workflowId)
        .where('page', '=', page)
        .executeTakeFirst();
      return row
        ? Tasks.parse(JSON.parse(gunzipSync(Buffer.from(row.tasks, 'base64')).toString('utf8')))
        : [];
    },
  };
}
export type RunPageStore = ReturnType<typeof createRunPageStore>;
