import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { errorCode } from '../errors/regatta-error.js';
import type { Database } from './database.js';
import type { StoreDialect } from './dialect.js';
import { makePrivateFile, makePrivateFolder, restrictFile } from './private-files.js';

export const sqliteFileName = 'regatta.db';

/**
 * SQLite in WAL mode, `synchronous=FULL` so a committed write survives a crash of the process.
 * The folder is 0700 and the file 0600 (SQLite gives its -wal and -shm files the file's mode).
 */
export function openSqlite(dataDir: string): StoreDialect {
  makePrivateFolder(dataDir);
  const path = join(dataDir, sqliteFileName);
  makePrivateFile(path);
  for (const companion of ['-wal', '-shm']) restrictFile(`${path}${companion}`);
  const database = new SqliteDatabase(path);
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
      // A deferred transaction fails with SQLITE_BUSY, without waiting, when it reads and then
      // writes while another process writes; `begin immediate` takes the lock up front and waits.
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
