import { createHash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { ApiTokensTable } from './database.js';
import type { StoreDialect } from './dialect.js';
import { ConflictError, NotFoundError } from './store-errors.js';

/** admin: everything; operator: also starts and stops work (runs, audits, pings); viewer: reads. */
export const Role = z.enum(['admin', 'operator', 'viewer']);
export type Role = z.infer<typeof Role>;

export const ApiTokenRecord = z.object({
  id: z.number().int(),
  name: z.string(),
  role: Role,
  creation_time: z.string(),
  /** When the token stops working; null for never. */
  expiration_time: z.string().nullable(),
});
export type ApiTokenRecord = z.infer<typeof ApiTokenRecord>;

const tokenPrefix = 'rgt_';

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function record(row: Selectable<ApiTokensTable>): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    // A role this version does not know reads as the least one.
    role: Role.catch('viewer').parse(row.role),
    creation_time: row.created_at,
    expiration_time: row.expires_at,
  };
}

/** Bearer tokens of the API. Only a hash is kept: a token is shown once, when it is created. */
export function createApiTokenStore({ db, isUniqueViolation }: StoreDialect) {
  return {
    /** A new token with a role; with `expiresInSeconds`, it stops working that long from now. */
    async create(input: {
      name: string;
      role: Role;
      expiresInSeconds?: number | undefined;
    }): Promise<{ token: string; record: ApiTokenRecord }> {
      const token = `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
      const now = Date.now();
      try {
        const row = await db
          .insertInto('api_tokens')
          .values({
            name: input.name,
            role: input.role,
            token_hash: hash(token),
            created_at: new Date(now).toISOString(),
            expires_at:
              input.expiresInSeconds === undefined
                ? null
                : new Date(now + input.expiresInSeconds * 1000).toISOString(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { token, record: record(row) };
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ConflictError(`a token named "${input.name}" already exists`, 'name');
        throw error;
      }
    },

    async list(): Promise<ApiTokenRecord[]> {
      return (await db.selectFrom('api_tokens').selectAll().orderBy('id').execute()).map(record);
    },

    async delete(id: number): Promise<void> {
      const deleted = await db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw new NotFoundError(`token ${id} not found`);
    },

    /** The token's record, or undefined for a token that is unknown, was deleted or has expired. */
    async authenticate(token: string): Promise<ApiTokenRecord | undefined> {
      if (!token.startsWith(tokenPrefix)) return undefined;
      // ISO-8601 times in UTC, all written by toISOString: their text sorts as the times do.
      const now = new Date().toISOString();
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('token_hash', '=', hash(token))
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .executeTakeFirst();
      return row ? record(row) : undefined;
    },
  };
}
export type ApiTokenStore = ReturnType<typeof createApiTokenStore>;
