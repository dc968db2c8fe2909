import { createHash, timingSafeEqual } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import {
  applyRegistryUpdate,
  maskedSecret,
  registryFromInput,
  RegistryType,
  type RegistryDefinition,
  type RegistryInput,
  type RegistryUpdate,
  type StoredRegistry,
} from '../policies/index.js';
import type { Database, RegistriesTable } from './database.js';
import type { StoreDialect } from './dialect.js';
import {
  whereListQuery,
  pageOfListQuery,
  type ListFields,
  type ListPage,
  type ListQuery,
} from './list-query.js';
import type { SecretBox } from './secret-box.js';
import { ConflictError, NotFoundError, PreconditionError } from './store-errors.js';

export const registryListFields: ListFields = {
  id: { column: 'id', kind: 'number' },
  name: { column: 'name', kind: 'string' },
  url: { column: 'url', kind: 'string' },
  type: { column: 'type', kind: 'string' },
  description: { column: 'description', kind: 'string' },
  creation_time: { column: 'created_at', kind: 'string' },
  update_time: { column: 'updated_at', kind: 'string' },
};

type Row = Selectable<RegistriesTable>;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Registries, with their secrets sealed by the SecretBox. */
export function createRegistryStore(
  { db, kind, isUniqueViolation, writeTransaction }: StoreDialect,
  box: SecretBox,
) {
  const columns = (definition: RegistryDefinition) => ({
    name: definition.name,
    url: definition.url,
    type: definition.type,
    description: definition.description,
    insecure: definition.insecure ? 1 : 0,
    ca_certificate: definition.ca_certificate,
    credential_type: definition.credential?.type ?? null,
    access_key: definition.credential?.type === 'basic' ? definition.credential.access_key : null,
    access_secret:
      definition.credential?.type === 'basic'
        ? box.seal(definition.credential.access_secret, 'registry.access_secret')
        : null,
    docker_config_path:
      definition.credential?.type === 'docker_config' ? definition.credential.config_path : null,
    webhook_secret:
      definition.webhook_secret === null
        ? null
        : box.seal(definition.webhook_secret, 'registry.webhook_secret'),
    max_connections: definition.max_connections,
    max_requests_in_flight: definition.max_requests_in_flight,
  });

  /** A row as a stored registry; `open` turns each sealed secret into what the caller may see. */
  const stored = (row: Row, open: (sealed: string, purpose: string) => string): StoredRegistry => ({
    id: row.id,
    name: row.name,
    url: row.url,
    type: RegistryType.catch('docker-registry').parse(row.type),
    description: row.description,
    insecure: row.insecure === 1,
    ca_certificate: row.ca_certificate,
    credential:
      row.credential_type === 'basic'
        ? {
            type: 'basic',
            access_key: row.access_key ?? '',
            access_secret:
              row.access_secret === null ? '' : open(row.access_secret, 'registry.access_secret'),
          }
        : row.credential_type === 'docker_config'
          ? { type: 'docker_config', config_path: row.docker_config_path ?? '' }
          : null,
    webhook_secret: row.webhook_secret === null ? null : open(row.webhook_secret, 'registry.webhook_secret'),
    max_connections: row.max_connections,
    max_requests_in_flight: row.max_requests_in_flight,
    creation_time: row.created_at,
    update_time: row.updated_at,
  });
  // Reads mask every secret that is set; only getWithSecrets opens them.
  const masked = (row: Row) => stored(row, () => maskedSecret);
  const inClear = (row: Row) => stored(row, (sealed, purpose) => box.open(sealed, purpose));

  const row = async (id: number, from: Kysely<Database> = db): Promise<Row> => {
    const found = await from.selectFrom('registries').selectAll().where('id', '=', id).executeTakeFirst();
    if (!found) throw new NotFoundError(`registry ${id} not found`);
    return found;
  };

  const nameTaken = (error: unknown, name: string) => {
    if (isUniqueViolation(error))
      return new ConflictError(`a registry named "${name}" already exists`, 'name');
    return error;
  };

  return {
    async create(input: RegistryInput): Promise<StoredRegistry> {
      const definition = registryFromInput(input);
      const now = new Date().toISOString();
      try {
        const created = await db
          .insertInto('registries')
          .values({ ...columns(definition), created_at: now, updated_at: now })
          .returningAll()
          .executeTakeFirstOrThrow();
        return masked(created);
      } catch (error) {
        throw nameTaken(error, definition.name);
      }
    },

    async get(id: number): Promise<StoredRegistry> {
      return masked(await row(id));
    },

    async list(query: ListQuery): Promise<ListPage<StoredRegistry>> {
      const base = whereListQuery(db.selectFrom('registries'), registryListFields, query);
      const { total } = await base
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      const rows = await pageOfListQuery(base.selectAll(), registryListFields, query, kind).execute();
      return { items: rows.map(masked), total: Number(total) };
    },

    /** The registries of these ids that exist. */
    async byIds(ids: readonly number[]): Promise<Map<number, StoredRegistry>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .selectFrom('registries')
        .selectAll()
        .where('id', 'in', [...ids])
        .execute();
      return new Map(rows.map((found) => [found.id, masked(found)]));
    },

    /** Reads, merges and writes under the write lock: a concurrent update of other fields is kept. */
    async update(id: number, update: RegistryUpdate): Promise<StoredRegistry> {
      return writeTransaction(async (trx) => {
        const next = applyRegistryUpdate(inClear(await row(id, trx)), update);
        const updated = await trx
          .updateTable('registries')
          .set({ ...columns(next), updated_at: new Date().toISOString() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst()
          .catch((error: unknown) => {
            throw nameTaken(error, next.name);
          });
        if (!updated) throw new NotFoundError(`registry ${id} not found`);
        return masked(updated);
      });
    },

    /** Refused with PRECONDITION while a policy copies from or to the registry. */
    async delete(id: number): Promise<void> {
      await writeTransaction(async (trx) => {
        const users = await trx
          .selectFrom('policies')
          .select('name')
          .where((eb) =>
            eb.or([
              eb('src_registry_id', '=', id),
              eb(
                'id',
                'in',
                eb.selectFrom('policy_destinations').select('policy_id').where('registry_id', '=', id),
              ),
            ]),
          )
          .orderBy('name')
          .execute();
        if (users.length > 0) {
          throw new PreconditionError(
            `registry ${id} is used by policies ${users.map((user) => `"${user.name}"`).join(', ')}`,
          );
        }
        const deleted = await trx.deleteFrom('registries').where('id', '=', id).executeTakeFirst();
        if (Number(deleted.numDeletedRows) === 0) throw new NotFoundError(`registry ${id} not found`);
      });
    },

    /** The registry with its secrets in clear: for the worker's registry clients only, never for a response. */
    async getWithSecrets(id: number): Promise<StoredRegistry> {
      return inClear(await row(id));
    },

    /** Whether `presented` is the registry's webhook secret (compared in constant time). */
    async verifyWebhookSecret(id: number, presented: string): Promise<boolean> {
      const found = await db
        .selectFrom('registries')
        .select('webhook_secret')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!found?.webhook_secret) return false;
      return timingSafeEqual(
        sha256(box.open(found.webhook_secret, 'registry.webhook_secret')),
        sha256(presented),
      );
    },
  };
}
export type RegistryStore = ReturnType<typeof createRegistryStore>;
