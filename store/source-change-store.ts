import type { StoreDialect } from './dialect.js';

/** A tag at a source registry pointing to a digest. */
export interface SourceChange {
  repository: string;
  tag: string;
  digest: string;
}

const rowsPerInsert = 100;
/** How `firstSeen` keys its answer: `tag@digest`. */
export function sourceChangeKey(change: Pick<SourceChange, 'tag' | 'digest'>): string {
  return `${change.tag}@${change.digest}`;
}

/**
 * When Regatta first learned of each change at a source: from the registry's notification, or
 * from the first audit that found it. Kept per tag until the tag moves on, so the table stays
 * the size of the source's tags.
 */
export function createSourceChangeStore({ db }: StoreDialect) {
  return {
    /** Records the changes as seen at `seenAt`; a change already known keeps the earlier time. */
    async record(registryId: number, changes: readonly SourceChange[], seenAt: string): Promise<void> {
      for (let start = 0; start < changes.length; start += rowsPerInsert) {
        const rows = changes
          .slice(start, start + rowsPerInsert)
          .map((change) => ({ registry_id: registryId, ...change, seen_at: seenAt }));
        await db
          .insertInto('source_changes')
          .values(rows)
          .onConflict((conflict) =>
            conflict
              .columns(['registry_id', 'repository', 'tag', 'digest'])
              .doUpdateSet((update) => ({ seen_at: update.ref('excluded.seen_at') }))
              .where('source_changes.seen_at', '>', (where) => where.ref('excluded.seen_at')),
          )
          .execute();
      }
    },

    /** When each known change of one repository was first seen, by `sourceChangeKey`. */
    async firstSeen(registryId: number, repository: string): Promise<Map<string, string>> {
      const rows = await db
        .selectFrom('source_changes')
        .select(['tag', 'digest', 'seen_at'])
        .where('registry_id', '=', registryId)
        .where('repository', '=', repository)
        .execute();
      return new Map(rows.map((row) => [sourceChangeKey(row), row.seen_at]));
    },

    /** Forgets what a repository's tags no longer point to (`current`: tag → digest now). */
    async forgetSuperseded(registryId: number, repository: string, current: ReadonlyMap<string, string>) {
      const rows = await db
        .selectFrom('source_changes')
        .select(['tag', 'digest'])
        .where('registry_id', '=', registryId)
        .where('repository', '=', repository)
        .execute();
      for (const row of rows) {
        if (current.get(row.tag) === row.digest) continue;
        await db
          .deleteFrom('source_changes')
          .where('registry_id', '=', registryId)
          .where('repository', '=', repository)
          .where('tag', '=', row.tag)
          .where('digest', '=', row.digest)
          .execute();
      }
    },
  };
}
export type SourceChangeStore = ReturnType<typeof createSourceChangeStore>;
