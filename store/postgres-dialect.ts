import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { errorCode } from '../errors/regatta-error.js';
import type { Database } from './database.js';
import type { StoreDialect } from './dialect.js';
import { StoreUnavailableError } from './store-errors.js';

/**
 * The key of the advisory lock every Regatta process takes to write; an arbitrary constant
 * ("Rgta"), unlikely to clash with another application's locks on a shared server.
 */
const writeLockKey = 0x52677461;

/** The URL as it may be shown: user, host, port and database; never the password or the query. */
export function redactedDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const user = url.username === '' ? '' : `${url.username}${url.password === '' ? '' : ':*****'}@`;
    return `${url.protocol}//${user}${url.host}${url.pathname}`;
  } catch {
    return 'DATABASE_URL (not a valid URL)';
  }
}

function reason(error: unknown): string {
  return error instanceof Error && error.message !== '' ? error.message : (errorCode(error) ?? String(error));
}

/** PostgreSQL through a `pg` pool; booleans and times are stored as SQLite stores them (database.ts). */
export function openPostgres(databaseUrl: string, logger: Logger): StoreDialect {
  const shown = redactedDatabaseUrl(databaseUrl);
  // Bounded, so an unreachable server fails start-up with a message instead of hanging in connect().
  const pool = new pg.Pool({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  // A connection the server closes while idle (a restart, a failover) leaves the pool and is
  // replaced on next use; without a listener this 'error' event would end the process.
  pool.on('error', (error) =>
    logger.warn({ database: shown, reason: error.message }, 'PostgreSQL closed an idle connection'),
  );
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: {
        // pg's own errors name no password; this message names the server without one either.
        connect: () =>
          pool.connect().catch((error: unknown) => {
            throw new StoreUnavailableError(`cannot connect to PostgreSQL at ${shown}: ${reason(error)}`, {
              cause: error,
            });
          }),
        end: () => pool.end(),
      },
    }),
  });
  return {
    kind: 'postgresql',
    db,
    writeTransaction(work) {
      // Writers queue on one advisory lock taken first, as SQLite's `begin immediate` does, rather
      // than run SERIALIZABLE and retry on 40001: `work` runs exactly once, nothing is retried
      // after it threw a domain error, and the store's writes are few and short. Under READ
      // COMMITTED each statement after the lock sees what the previous writer committed.
      return db
        .transaction()
        .setIsolationLevel('read committed')
        .execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(${writeLockKey})`.execute(trx);
          return work(trx);
        });
    },
    // unique_violation, primary keys included.
    isUniqueViolation: (error) => errorCode(error) === '23505',
  };
}
