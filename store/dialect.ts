import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { EnvironmentError, errorCode } from '../errors/regatta-error.js';
import type { Database } from './database.js';

export type DialectKind = 'sqlite';

/**
 * Everything in the store that depends on the database engine. The queries elsewhere are plain
 * Kysely and engine-neutral; PostgreSQL (issue 8) adds a second implementation of this.
 */
export interface StoreDialect {
  kind: DialectKind;
  db: Kysely<Database>;
  /**
   * A transaction that holds the write lock from its first statement. SQLite's default (deferred)
   * transaction fails with SQLITE_BUSY, without waiting, when it reads and then writes while
   * another process writes; taking the lock up front makes it wait its turn instead.
   */
  writeTransaction<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  isUniqueViolation(error: unknown): boolean;
}

export const sqliteFileName = 'regatta.db';

/** SQLite in WAL mode, `synchronous=FULL` so a committed write survives a crash of the process. */
export function openSqlite(dataDir: string): StoreDialect {
  mkdirSync(dataDir, { recursive: true });
  const database = new SqliteDatabase(join(dataDir, sqliteFileName));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  // The API and the worker share the file; a writer waits for the other instead of failing.
  database.pragma('busy_timeout = 10000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return {
    kind: 'sqlite',
    db,
    writeTransaction(work) {
      return db.connection().execute(async (connection) => {
        await sql`begin immediate`.execute(connection);
        try {
          const result = await work(connection);
          await sql`commit`.execute(connection);
          return result;
        } catch (error) {
          await sql`rollback`.execute(connection);
          throw error;
        }
      });
    },
    isUniqueViolation: (error) =>
      errorCode(error)?.startsWith('SQLITE_CONSTRAINT_UNIQUE') === true ||
      errorCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
  };
}

/** Picks the engine from the configuration. */
export function openDialect({
  dataDir,
  databaseUrl,
}: {
  dataDir: string;
  databaseUrl?: string | undefined;
}): StoreDialect {
  if (databaseUrl !== undefined) {
    throw new EnvironmentError(
      'DATABASE_URL (PostgreSQL) is not supported yet; unset it to use SQLite in REGATTA_DATA_DIR',
    );
  }
  return openSqlite(dataDir);
}
