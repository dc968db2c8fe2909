import type { Logger } from 'pino';
import { createApiTokenStore } from './api-token-store.js';
import { openDialect, type StoreDialect } from './dialect.js';
import { createExecutionStore } from './execution-store.js';
import { migrateToLatest } from './migrations.js';
import { createPolicyStore } from './policy-store.js';
import { createRunPageStore } from './run-page-store.js';
import { createRegistryStore } from './registry-store.js';
import { SecretBox } from './secret-box.js';
import { createSourceChangeStore } from './source-change-store.js';
import { loadSecretKey } from './secret-key.js';

export interface StoreOptions {
  /** Holds the SQLite file and, unless `secretKey` is given, the key file. */
  dataDir: string;
  /** `postgres://...` selects PostgreSQL instead of SQLite. */
  databaseUrl?: string | undefined;
  /** `REGATTA_SECRET_KEY`. */
  secretKey?: string | undefined;
  logger: Logger;
}

const keyCheckPurpose = 'meta.key_check';
const keyCheckText = 'regatta';

/** A wrong key is found at start-up, not when a run first needs a registry's secret. */
async function checkSecretKey(dialect: StoreDialect, box: SecretBox): Promise<void> {
  await dialect.db
    .insertInto('meta')
    .values({ key: 'key_check', value: box.seal(keyCheckText, keyCheckPurpose) })
    .onConflict((conflict) => conflict.column('key').doNothing())
    .execute();
  const { value } = await dialect.db
    .selectFrom('meta')
    .select('value')
    .where('key', '=', 'key_check')
    .executeTakeFirstOrThrow();
  box.open(value, keyCheckPurpose);
}

/** Opens (creating and migrating as needed) the store of registries, policies, executions and tokens. */
export async function openStore(options: StoreOptions) {
  const dialect = openDialect(options);
  try {
    const applied = await migrateToLatest(dialect);
    if (applied.length > 0) options.logger.info({ migrations: applied }, 'store migrated');
    const box = new SecretBox(await loadSecretKey(options.dataDir, options.secretKey, options.logger));
    await checkSecretKey(dialect, box);
    return {
      registries: createRegistryStore(dialect, box),
      policies: createPolicyStore(dialect),
      executions: createExecutionStore(dialect),
      runPages: createRunPageStore(dialect),
      tokens: createApiTokenStore(dialect),
      sourceChanges: createSourceChangeStore(dialect),
      async close(): Promise<void> {
        await dialect.db.destroy();
      },
    };
  } catch (error) {
    await dialect.db.destroy();
    throw error;
  }
}
export type Store = Awaited<ReturnType<typeof openStore>>;
