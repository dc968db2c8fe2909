import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Kysely, Selectable } from 'kysely';
import { EnvironmentError } from '../errors/regatta-error.js';
import type { RegistryInput, RegistryUpdate } from '../policies/index.js';
import { credentialsFromDockerConfig } from '../registry/docker-config.js';
import type { Database, RegistriesTable } from './database.js';
import type { StoreDialect } from './dialect.js';
import {
  whereListQuery,
  pageOfListQuery,
  type ListFields,
  type ListPage,
  type ListQuery,
} from './list-query.js';
import { applyRegistryUpdate, draftFromInput, type RegistryDraft } from './registry-draft.js';
import type { RegistryRecord, RegistryWithCredentials } from './registry-record.js';
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

function record(row: Row): RegistryRecord {
  const credential =
    row.credential_type === 'basic'
      ? { type: 'basic' as const, access_key: row.access_key ?? '', has_secret: row.access_secret !== null }
      : row.credential_type === 'docker_config'
        ? { type: 'docker_config' as const, config_path: row.docker_config_path ?? '' }
        : undefined;
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    type: row.type === 'harbor' ? 'harbor' : 'docker-registry',
    description: row.description,
    insecure: row.insecure === 1,
    ...(row.ca_certificate !== null ? { ca_certificate: row.ca_certificate } : {}),
    ...(credential ? { credential } : {}),
    has_webhook_secret: row.webhook_secret !== null,
    creation_time: row.created_at,
    update_time: row.updated_at,
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Registries, with their secrets sealed by the SecretBox. */
export function createRegistryStore(
  { db, kind, isUniqueViolation, writeTransaction }: StoreDialect,
  box: SecretBox,
) {
  const columns = (draft: RegistryDraft) => ({
    name: draft.name,
    url: draft.url,
    type: draft.type,
    description: draft.description,
    insecure: draft.insecure ? 1 : 0,
    ca_certificate: draft.ca_certificate,
    credential_type: draft.credential?.type ?? null,
    access_key: draft.credential?.type === 'basic' ? draft.credential.access_key : null,
    access_secret:
      draft.credential?.type === 'basic'
        ? box.seal(draft.credential.access_secret, 'registry.access_secret')
        : null,
    docker_config_path: draft.credential?.type === 'docker_config' ? draft.credential.config_path : null,
    webhook_secret:
      draft.webhook_secret === null ? null : box.seal(draft.webhook_secret, 'registry.webhook_secret'),
  });

  const draftOf = (row: Row): RegistryDraft => ({
    name: row.name,
    url: row.url,
    type: row.type === 'harbor' ? 'harbor' : 'docker-registry',
    description: row.description,
    insecure: row.insecure === 1,
    ca_certificate: row.ca_certificate,
    credential:
      row.credential_type === 'basic'
        ? {
            type: 'basic',
            access_key: row.access_key ?? '',
            access_secret:
              row.access_secret === null ? '' : box.open(row.access_secret, 'registry.access_secret'),
          }
        : row.credential_type === 'docker_config'
          ? { type: 'docker_config', config_path: row.docker_config_path ?? '' }
          : null,
    webhook_secret:
      row.webhook_secret === null ? null : box.open(row.webhook_secret, 'registry.webhook_secret'),
  });

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
    async create(input: RegistryInput): Promise<RegistryRecord> {
      const draft = draftFromInput(input);
      const now = new Date().toISOString();
      try {
        const created = await db
          .insertInto('registries')
          .values({ ...columns(draft), created_at: now, updated_at: now })
          .returningAll()
          .executeTakeFirstOrThrow();
        return record(created);
      } catch (error) {
        throw nameTaken(error, draft.name);
      }
    },

    async get(id: number): Promise<RegistryRecord> {
      return record(await row(id));
    },

    async list(query: ListQuery): Promise<ListPage<RegistryRecord>> {
      const base = whereListQuery(db.selectFrom('registries'), registryListFields, query);
      const { total } = await base
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      const rows = await pageOfListQuery(base.selectAll(), registryListFields, query, kind).execute();
      return { items: rows.map(record), total: Number(total) };
    },

    /** The registries of these ids that exist. */
    async byIds(ids: readonly number[]): Promise<Map<number, RegistryRecord>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .selectFrom('registries')
        .selectAll()
        .where('id', 'in', [...ids])
        .execute();
      return new Map(rows.map((found) => [found.id, record(found)]));
    },

    /** Reads, merges and writes under the write lock: a concurrent update of other fields is kept. */
    async update(id: number, update: RegistryUpdate): Promise<RegistryRecord> {
      return writeTransaction(async (trx) => {
        const next = applyRegistryUpdate(draftOf(await row(id, trx)), update);
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
        return record(updated);
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

    /** For activities only: the record with credentials in clear, read from a Docker config.json if so configured. */
    async getWithCredentials(id: number): Promise<RegistryWithCredentials> {
      const found = await row(id);
      const draft = draftOf(found);
      const base = record(found);
      if (draft.credential?.type === 'basic') {
        return {
          ...base,
          credentials: { username: draft.credential.access_key, password: draft.credential.access_secret },
        };
      }
      if (draft.credential?.type === 'docker_config') {
        const path = draft.credential.config_path;
        const text = await readFile(path, 'utf8').catch((error: unknown) => {
          throw new EnvironmentError(`registry ${id}: cannot read the Docker config ${path}`, {
            cause: error,
          });
        });
        const credentials = credentialsFromDockerConfig(text, new URL(found.url).host);
        return credentials ? { ...base, credentials } : base;
      }
      return base;
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
