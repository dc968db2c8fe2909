import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from './database.js';
import { openPostgres } from './postgres-dialect.js';
import { openSqlite } from './sqlite-dialect.js';

export type DialectKind = 'sqlite' | 'postgresql';

/**
 * Everything in the store that depends on the database engine (sqlite-dialect.ts,
 * postgres-dialect.ts). The queries elsewhere are plain Kysely and engine-neutral.
 */
export interface StoreDialect {
  kind: DialectKind;
  db: Kysely<Database>;
  /**
   * A transaction that holds the store's one write lock from its first statement, so a
   * read-modify-write waits for every other writer, in any process, instead of losing an update.
   */
  writeTransaction<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  isUniqueViolation(error: unknown): boolean;
}

/** `DATABASE_URL` (postgres://...) selects PostgreSQL; without it, SQLite in the data folder. */
export function openDialect({
  dataDir,
  databaseUrl,
  logger,
}: {
  dataDir: string;
  databaseUrl?: string | undefined;
  logger: Logger;
}): StoreDialect {
  return databaseUrl === undefined ? openSqlite(dataDir) : openPostgres(databaseUrl, logger);
}
