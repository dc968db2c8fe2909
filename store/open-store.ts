import type { Logger } from 'pino';
import { createApiTokenStore } from './api-token-store.js';
import { openDialect } from './dialect.js';
import { createDriftStateStore } from './drift-state-store.js';
import { createExecutionStore } from './execution-store.js';
import { migrateToLatest } from './migrations.js';
import { createNotificationDeliveryStore } from './notification-delivery-store.js';
import { createNotificationPolicyStore } from './notification-policy-store.js';
import { createPolicyStore } from './policy-store.js';
import { createPrunePlanStore } from './prune-plan-store.js';
import { createRunPageStore } from './run-page-store.js';
import { createRegistryStore } from './registry-store.js';
import { createSourceChangeStore } from './source-change-store.js';
import { loadSecretKey, openSecretBox } from './secret-key.js';

export interface StoreOptions {
  /** Holds the SQLite file and, unless `secretKey` is given, the key file. */
  dataDir: string;
  /** `postgres://...` selects PostgreSQL instead of SQLite. */
  databaseUrl?: string | undefined;
  /** `REGATTA_SECRET_KEY`. */
  secretKey?: string | undefined;
  logger: Logger;
}

/**
 * Opens (creating and migrating as needed) the store of registries, policies, executions, tokens,
 * notification policies and their deliveries.
 */
export async function openStore(options: StoreOptions) {
  const dialect = openDialect(options);
  try {
    const applied = await migrateToLatest(dialect);
    if (applied.length > 0) options.logger.info({ migrations: applied }, 'store migrated');
    const box = await openSecretBox(
      dialect,
      await loadSecretKey(options.dataDir, options.secretKey, options.logger),
    );
    return {
      registries: createRegistryStore(dialect, box),
      policies: createPolicyStore(dialect),
      executions: createExecutionStore(dialect),
      runPages: createRunPageStore(dialect),
      prunePlans: createPrunePlanStore(dialect),
      tokens: createApiTokenStore(dialect),
      sourceChanges: createSourceChangeStore(dialect),
      notificationPolicies: createNotificationPolicyStore(dialect, box),
      notificationDeliveries: createNotificationDeliveryStore(dialect),
      driftStates: createDriftStateStore(dialect),
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
