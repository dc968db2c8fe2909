import type { Kysely, Selectable } from 'kysely';
import { PolicyDefinition, type StoredPolicy } from '../policies/index.js';
import type { Database, PoliciesTable } from './database.js';
import type { StoreDialect } from './dialect.js';
import {
  pageOfListQuery,
  whereListQuery,
  type ListFields,
  type ListPage,
  type ListQuery,
} from './list-query.js';
import { ConflictError, NotFoundError } from './store-errors.js';

export const policyListFields: ListFields = {
  id: { column: 'id', kind: 'number' },
  name: { column: 'name', kind: 'string' },
  enabled: { column: 'enabled', kind: 'boolean' },
  src_registry_id: { column: 'src_registry_id', kind: 'number' },
  trigger_type: { column: 'trigger_type', kind: 'string' },
  creation_time: { column: 'created_at', kind: 'string' },
  update_time: { column: 'updated_at', kind: 'string' },
};

function stored(row: Selectable<PoliciesTable>): StoredPolicy {
  const definition = PolicyDefinition.parse(JSON.parse(row.definition));
  return { id: row.id, ...definition, creation_time: row.created_at, update_time: row.updated_at };
}

/** Fails (404, as a missing policy_id does) naming the field when a policy refers to a registry that does not exist. */
async function assertRegistriesExist(db: Kysely<Database>, definition: PolicyDefinition): Promise<void> {
  const ids = [definition.src_registry_id, ...definition.dest_registry_ids];
  const rows = await db.selectFrom('registries').select('id').where('id', 'in', ids).execute();
  const known = new Set(rows.map((row) => row.id));
  if (!known.has(definition.src_registry_id)) {
    throw new NotFoundError(
      `src_registry.id: registry ${definition.src_registry_id} does not exist`,
      'src_registry.id',
    );
  }
  const missing = definition.dest_registry_ids.find((id) => !known.has(id));
  if (missing !== undefined) {
    const field = definition.dest_registry_ids.length === 1 ? 'dest_registry.id' : 'dest_registries';
    throw new NotFoundError(`${field}: registry ${missing} does not exist`, field);
  }
}

/** Replication policies; each keeps its definition as JSON and its registries as rows that constrain deletes. */
export function createPolicyStore({ db, kind, isUniqueViolation, writeTransaction }: StoreDialect) {
  const columns = (definition: PolicyDefinition) => ({
    name: definition.name,
    src_registry_id: definition.src_registry_id,
    enabled: definition.enabled ? 1 : 0,
    trigger_type: definition.trigger.type,
    definition: JSON.stringify(definition),
  });

  const writeDestinations = async (trx: Kysely<Database>, policyId: number, definition: PolicyDefinition) => {
    await trx.deleteFrom('policy_destinations').where('policy_id', '=', policyId).execute();
    await trx
      .insertInto('policy_destinations')
      .values(
        definition.dest_registry_ids.map((registryId, position) => ({
          policy_id: policyId,
          registry_id: registryId,
          position,
        })),
      )
      .execute();
  };

  const nameTaken = (error: unknown, name: string) =>
    isUniqueViolation(error) ? new ConflictError(`a policy named "${name}" already exists`, 'name') : error;

  return {
    async create(input: PolicyDefinition): Promise<StoredPolicy> {
      const definition = PolicyDefinition.parse(input);
      const now = new Date().toISOString();
      try {
        return await writeTransaction(async (trx) => {
          await assertRegistriesExist(trx, definition);
          const row = await trx
            .insertInto('policies')
            .values({ ...columns(definition), created_at: now, updated_at: now })
            .returningAll()
            .executeTakeFirstOrThrow();
          await writeDestinations(trx, row.id, definition);
          return stored(row);
        });
      } catch (error) {
        throw nameTaken(error, definition.name);
      }
    },

    async get(id: number): Promise<StoredPolicy> {
      const row = await db.selectFrom('policies').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError(`policy ${id} not found`);
      return stored(row);
    },

    async list(query: ListQuery): Promise<ListPage<StoredPolicy>> {
      const base = whereListQuery(db.selectFrom('policies'), policyListFields, query);
      const { total } = await base
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      const rows = await pageOfListQuery(base.selectAll(), policyListFields, query, kind).execute();
      return { items: rows.map(stored), total: Number(total) };
    },

    /** Every policy, for reconciling schedules at start-up. */
    async all(): Promise<StoredPolicy[]> {
      const rows = await db.selectFrom('policies').selectAll().orderBy('id').execute();
      return rows.map(stored);
    },

    async update(id: number, input: PolicyDefinition): Promise<StoredPolicy> {
      const definition = PolicyDefinition.parse(input);
      try {
        return await writeTransaction(async (trx) => {
          await assertRegistriesExist(trx, definition);
          const row = await trx
            .updateTable('policies')
            .set({ ...columns(definition), updated_at: new Date().toISOString() })
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirst();
          if (!row) throw new NotFoundError(`policy ${id} not found`);
          await writeDestinations(trx, id, definition);
          return stored(row);
        });
      } catch (error) {
        throw nameTaken(error, definition.name);
      }
    },

    async delete(id: number): Promise<void> {
      const deleted = await db.deleteFrom('policies').where('id', '=', id).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw new NotFoundError(`policy ${id} not found`);
    },
  };
}
export type PolicyStore = ReturnType<typeof createPolicyStore>;
