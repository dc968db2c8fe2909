import type { StoreDialect } from './dialect.js';

/** A site's drift at one audit, and what the newest audit before it found (undefined: none). */
export interface DriftStateChange {
  registryId: number;
  wasDrifting: boolean | undefined;
  drifting: boolean;
}

/** Whether each site of a policy drifted at its newest audit, so a change of state can be told. */
export function createDriftStateStore({ writeTransaction }: StoreDialect) {
  return {
    /**
     * Keeps an audit's states and returns each with the one it replaces. Under the write lock, so
     * two audits of one policy finishing at once compare in turn; a site whose stored state is
     * from a later audit (one that finished first) is left alone and not returned.
     */
    async record(
      policyId: number,
      auditedAt: string,
      states: ReadonlyArray<{ registryId: number; drifting: boolean }>,
    ): Promise<DriftStateChange[]> {
      return writeTransaction(async (trx) => {
        const rows = await trx
          .selectFrom('drift_states')
          .selectAll()
          .where('policy_id', '=', policyId)
          .execute();
        const previous = new Map(rows.map((row) => [row.registry_id, row]));
        const changes: DriftStateChange[] = [];
        for (const { registryId, drifting } of states) {
          const before = previous.get(registryId);
          if (before && before.audited_at > auditedAt) continue;
          await trx
            .insertInto('drift_states')
            .values({
              policy_id: policyId,
              registry_id: registryId,
              drifting: drifting ? 1 : 0,
              audited_at: auditedAt,
            })
            .onConflict((conflict) =>
              conflict
                .columns(['policy_id', 'registry_id'])
                .doUpdateSet({ drifting: drifting ? 1 : 0, audited_at: auditedAt }),
            )
            .execute();
          changes.push({ registryId, wasDrifting: before ? before.drifting === 1 : undefined, drifting });
        }
        return changes;
      });
    },
  };
}
export type DriftStateStore = ReturnType<typeof createDriftStateStore>;
