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

/** SQLSTATEs and socket errors of a server that went away (a restart, a failover), not of the query. */
const connectionLossCodes = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * Whether a query failed because the server is gone rather than because of the query: such a
 * failure is STORE_UNAVAILABLE (503 at the API, retried by activities), never a 500.
 */
export function isConnectionLoss(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && (connectionLossCodes.has(code) || code.startsWith('08'))) return true;
  // pg's own errors for a socket that closed under a query carry no code.
  return error instanceof Error && /^Connection terminated|connection error/i.test(error.message);
}

type QueryClient = { query: (...args: never[]) => unknown };

/** A pooled client whose query failures from a lost server are StoreUnavailableErrors. */
function classifyingLoss<T extends QueryClient>(client: T, shown: string): T {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  // A view of the client, not a copy: release() and the rest act on the pooled client itself.
  return Object.assign(Object.create(client) as T, {
    query: (...args: unknown[]) => {
      const result = query(...args);
      // A cursor (streamed query) is returned as is; a plain query is a promise.
      if (!(result instanceof Promise)) return result;
      return result.catch((error: unknown) => {
        if (!isConnectionLoss(error)) throw error;
        throw new StoreUnavailableError(`lost PostgreSQL at ${shown}: ${reason(error)}`, { cause: error });
      });
    },
  });
}

function reason(error: unknown): string {
  return error instanceof Error && error.message !== '' ? error.message : (errorCode(error) ?? String(error));
}

/** PostgreSQL through a `pg` pool; booleans and times are stored as SQLite stores them (database.ts). */
export function openPostgres(databaseUrl: string, logger: Logger): StoreDialect {
  const shown = redactedDatabaseUrl(databaseUrl);
  // Bounded, so an unreachable server fails start-up with a message instead of hanging in connect().
  const pool = new pg.Pool({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  // One view per pooled client, so Kysely, which keys its connections by client, reuses them.
  const views = new WeakMap<pg.PoolClient, pg.PoolClient>();
  const viewOf = (client: pg.PoolClient) => {
    let view = views.get(client);
    if (!view) views.set(client, (view = classifyingLoss(client, shown)));
    return view;
  };
  // A connection the server closes while idle (a restart, a failover) leaves the pool and is
  // replaced on next use; without a listener this 'error' event would end the process.
  pool.on('error', (error) =>
    logger.warn({ database: shown, reason: error.message }, 'PostgreSQL closed an idle connection'),
  );
  // One lost while checked out (the server stopped between two queries of a use) has no pool
  // listener: its query fails as STORE_UNAVAILABLE, and this keeps the event from ending the process.
  pool.on('connect', (client) =>
    client.on('error', (error) =>
      logger.debug({ database: shown, reason: error.message }, 'PostgreSQL closed a connection in use'),
    ),
  );
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: {
        // pg's own errors name no password; this message names the server without one either.
        connect: () =>
          pool.connect().then(viewOf, (error: unknown) => {
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
