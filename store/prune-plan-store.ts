import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { Artifact } from '../contract/index.js';
import type { StoreDialect } from './dialect.js';
import { NotFoundError } from './store-errors.js';

const Artifacts = z.array(Artifact);

/** A run that never recorded its end (terminated) leaves its plans; they go once this old. */
const staleAfterMs = 30 * 24 * 3600_000;

/**
 * A mirror's prune plans, kept outside workflow history: a plan of any size is written here once
 * by the activity that makes it and read back a page at a time by the page that deletes it, so
 * no history event holds more than one page. A page is one gzip'd JSON value (a few kilobytes).
 */
export function createPrunePlanStore({ db, writeTransaction }: StoreDialect) {
  return {
    /** Keeps a plan's pages, replacing a plan of the same id, and drops stale plans. */
    async save(
      planId: string,
      runWorkflowId: string,
      pages: ReadonlyArray<readonly Artifact[]>,
      now = new Date(),
    ): Promise<void> {
      const createdAt = now.toISOString();
      await writeTransaction(async (trx) => {
        await trx
          .deleteFrom('prune_plan_pages')
          .where((where) =>
            where.or([
              where('plan_id', '=', planId),
              where('created_at', '<', new Date(now.getTime() - staleAfterMs).toISOString()),
            ]),
          )
          .execute();
        for (const [index, artifacts] of pages.entries()) {
          await trx
            .insertInto('prune_plan_pages')
            .values({
              plan_id: planId,
              page: index + 1,
              run_workflow_id: runWorkflowId,
              artifacts: gzipSync(JSON.stringify(artifacts)).toString('base64'),
              created_at: createdAt,
            })
            .execute();
        }
      });
    },

    /** Page `page` (from 1) of a plan; a plan that is gone (its run ended) is NOT_FOUND. */
    async page(planId: string, page: number): Promise<Artifact[]> {
      const row = await db
        .selectFrom('prune_plan_pages')
        .select('artifacts')
        .where('plan_id', '=', planId)
        .where('page', '=', page)
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`prune plan ${planId} has no page ${page}`);
      return Artifacts.parse(JSON.parse(gunzipSync(Buffer.from(row.artifacts, 'base64')).toString('utf8')));
    },

    /** Drops every plan of a run: called when the run keeps its result. */
    async removeRun(runWorkflowId: string): Promise<void> {
      await db.deleteFrom('prune_plan_pages').where('run_workflow_id', '=', runWorkflowId).execute();
    },
  };
}
export type PrunePlanStore = ReturnType<typeof createPrunePlanStore>;
