import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { sql } from 'kysely';
import { pino } from 'pino';
import { describe, it } from 'node:test';
import { errorCode } from '../../errors/regatta-error.js';
import { openDialect } from '../../store/dialect.js';
import { isConnectionLoss, redactedDatabaseUrl } from '../../store/postgres-dialect.js';
import { startHangUpServer } from '../harness/hang-up-server.js';

const logger = pino({ level: 'silent' });

describe('openDialect', () => {
  it('SQLite – when DATABASE_URL is unset, in the data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'regatta-dialect-'));
    const dialect = openDialect({ dataDir, logger });
    try {
      assert.equal(dialect.kind, 'sqlite');
      assert.deepEqual((await sql<{ one: number }>`select 1 as one`.execute(dialect.db)).rows, [{ one: 1 }]);
    } finally {
      await dialect.db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL – from a postgres:// URL; an unreachable server is STORE_UNAVAILABLE, without the password', async () => {
    const password = 'pw-that-must-not-show-7f3e';
    const nobody = await startHangUpServer();
    const url = `postgres://regatta:${password}@127.0.0.1:${nobody.port}/regatta`;
    const dialect = openDialect({ dataDir: '/nonexistent', databaseUrl: url, logger });
    try {
      assert.equal(dialect.kind, 'postgresql');
      await assert.rejects(sql`select 1`.execute(dialect.db), (error: unknown) => {
        assert.equal(errorCode(error), 'STORE_UNAVAILABLE');
        assert.match((error as Error).message, /postgres:\/\/regatta:\*{5}@127\.0\.0\.1:\d+\/regatta/);
        assert.ok(!inspect(error, { depth: 10 }).includes(password), inspect(error));
        return true;
      });
    } finally {
      await dialect.db.destroy();
      await nobody.stop();
    }
  });
});

describe('redactedDatabaseUrl', () => {
  it('keeps user, host, port and database; drops the password and the query', () => {
    assert.equal(
      redactedDatabaseUrl('postgresql://app:s3cret@db.example:5433/regatta?sslmode=require&password=s3cret'),
      'postgresql://app:*****@db.example:5433/regatta',
    );
    assert.equal(redactedDatabaseUrl('postgres://db.example/regatta'), 'postgres://db.example/regatta');
    assert.equal(redactedDatabaseUrl('postgres://s3cret@@'), 'DATABASE_URL (not a valid URL)');
  });
});

describe('isConnectionLoss', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });
  const cases: Array<[string, unknown, boolean]> = [
    ['the server shut down (57P01)', withCode('57P01'), true],
    ['the server crashed (57P02)', withCode('57P02'), true],
    ['the server is starting (57P03)', withCode('57P03'), true],
    ['a connection exception (class 08)', withCode('08006'), true],
    ['a refused connection', withCode('ECONNREFUSED'), true],
    ['a reset connection', withCode('ECONNRESET'), true],
    ["pg's socket closed under a query", new Error('Connection terminated unexpectedly'), true],
    ['a unique violation', withCode('23505'), false],
    ['a syntax error', withCode('42601'), false],
    ['any other error', new Error('boom'), false],
  ];
  for (const [name, error, lost] of cases) it(name, () => assert.equal(isConnectionLoss(error), lost));
});
