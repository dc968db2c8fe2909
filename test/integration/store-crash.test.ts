import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { createLogger } from '../../server/logger.js';
import type { DialectKind } from '../../store/dialect.js';
import { openStore } from '../../store/index.js';
import { startTestPostgres, type TestPostgres } from '../harness/postgres-server.js';
import { storeEngines } from '../harness/store-engines.js';
import { storedCredentials } from '../harness/stored-credentials.js';

const writerPath = fileURLToPath(new URL('./store-crash-writer.ts', import.meta.url));
const writers = 3;
const roundsBeforeKill = 40;

/** Resolves once the writer has finished `rounds` rounds; rejects if it exits or takes over 60 s. */
function startWriter(
  dataDir: string,
  label: string,
  databaseUrl: string | undefined,
): { child: ChildProcess; ready: Promise<void> } {
  const args = [writerPath, dataDir, label, ...(databaseUrl === undefined ? [] : [databaseUrl])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} wrote too slowly: ${stderr}`)), 60_000);
    let seen = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString().split('\n').filter(Boolean).length;
      if (seen >= roundsBeforeKill) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code} before it was killed: ${stderr}`));
    });
  });
  return { child, ready };
}

function crashTests(engine: DialectKind): void {
  let dataDir: string;
  let postgres: TestPostgres | undefined;
  const children: ChildProcess[] = [];
  after(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await postgres?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('survives – three processes migrating and writing at once, killed without warning', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'regatta-crash-'));
    if (engine === 'postgresql') postgres = await startTestPostgres();
    const started = Array.from({ length: writers }, (_, index) =>
      startWriter(dataDir, `w${index}`, postgres?.url),
    );
    children.push(...started.map(({ child }) => child));
    await Promise.all(started.map(({ ready }) => ready));
    const exits = started.map(({ child }) => new Promise((resolve) => child.once('exit', resolve)));
    for (const { child } of started) child.kill('SIGKILL');
    await Promise.all(exits);

    // The file's own checks; PostgreSQL's files are PostgreSQL's, and only clients were killed.
    if (engine === 'sqlite') {
      const raw = new SqliteDatabase(join(dataDir, 'regatta.db'));
      try {
        assert.deepEqual(raw.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
        assert.deepEqual(raw.pragma('foreign_key_check'), []);
      } finally {
        raw.close();
      }
    }

    const store = await openStore({
      dataDir,
      databaseUrl: postgres?.url,
      secretKey: 'crash-test-passphrase',
      logger: createLogger({ level: 'silent' }),
    });
    try {
      const registries = await store.registries.list({
        pageSize: 100,
        sort: [{ field: 'id', descending: true }],
      });
      assert.ok(
        registries.total >= writers * roundsBeforeKill,
        `only ${registries.total} registries were kept`,
      );
      // Every committed secret still opens: no torn writes.
      for (const registry of registries.items) {
        assert.deepEqual(await storedCredentials(store, registry.id), {
          username: 'robot',
          password: `secret-${registry.name}`,
        });
      }
      for (const policy of await store.policies.all()) {
        await store.registries.get(policy.src_registry_id);
      }
    } finally {
      await store.close();
    }
  });
}

for (const engine of storeEngines) {
  describe(`store – kill -9 mid-write (${engine})`, () => crashTests(engine));
}
