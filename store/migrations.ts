import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Database } from './database.js';
import type { DialectKind, StoreDialect } from './dialect.js';

interface Migration {
  name: string;
  /** `kind` only where the engines need different DDL; plain Kysely DDL runs on both. */
  up(db: Kysely<Database>, kind: DialectKind): Promise<void>;
}

/**
 * An id the database assigns. SQLite keeps the `integer primary key autoincrement` that 0001 has
 * always created there; PostgreSQL has no `autoincrement` and gets an identity column.
 */
function generatedId(kind: DialectKind) {
  return (column: ColumnDefinitionBuilder) =>
    kind === 'postgresql'
      ? column.primaryKey().generatedByDefaultAsIdentity()
      : column.primaryKey().autoIncrement();
}

// Append only: a migration that has run anywhere is never edited.
const migrations: readonly Migration[] = [
  {
    name: '0001-registries-policies-executions-tokens',
    async up(db, kind) {
      await db.schema
        .createTable('registries')
        .addColumn('id', 'integer', generatedId(kind))
        .addColumn('name', 'text', (column) => column.notNull().unique())
        .addColumn('url', 'text', (column) => column.notNull())
        .addColumn('type', 'text', (column) => column.notNull())
        .addColumn('description', 'text', (column) => column.notNull())
        .addColumn('insecure', 'integer', (column) => column.notNull())
        .addColumn('ca_certificate', 'text')
        .addColumn('credential_type', 'text')
        .addColumn('access_key', 'text')
        .addColumn('access_secret', 'text')
        .addColumn('docker_config_path', 'text')
        .addColumn('webhook_secret', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('policies')
        .addColumn('id', 'integer', generatedId(kind))
        .addColumn('name', 'text', (column) => column.notNull().unique())
        .addColumn('src_registry_id', 'integer', (column) =>
          column.notNull().references('registries.id').onDelete('restrict'),
        )
        .addColumn('enabled', 'integer', (column) => column.notNull())
        .addColumn('trigger_type', 'text', (column) => column.notNull())
        .addColumn('definition', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('policy_destinations')
        .addColumn('policy_id', 'integer', (column) =>
          column.notNull().references('policies.id').onDelete('cascade'),
        )
        .addColumn('registry_id', 'integer', (column) =>
          column.notNull().references('registries.id').onDelete('restrict'),
        )
        .addColumn('position', 'integer', (column) => column.notNull())
        .addPrimaryKeyConstraint('policy_destinations_pk', ['policy_id', 'registry_id'])
        .execute();
      await db.schema
        .createIndex('policy_destinations_registry')
        .on('policy_destinations')
        .column('registry_id')
        .execute();
      await db.schema
        .createTable('executions')
        .addColumn('id', 'integer', generatedId(kind))
        .addColumn('policy_id', 'integer', (column) => column.notNull())
        .addColumn('workflow_id', 'text', (column) => column.notNull().unique())
        .addColumn('run_id', 'text')
        .addColumn('trigger', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('executions_policy')
        .on('executions')
        .columns(['policy_id', 'id'])
        .execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'integer', generatedId(kind))
        .addColumn('name', 'text', (column) => column.notNull().unique())
        .addColumn('role', 'text', (column) => column.notNull())
        .addColumn('token_hash', 'text', (column) => column.notNull().unique())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (column) => column.primaryKey())
        .addColumn('value', 'text', (column) => column.notNull())
        .execute();
    },
  },
  {
    name: '0002-source-changes',
    async up(db) {
      await db.schema
        .createTable('source_changes')
        .addColumn('registry_id', 'integer', (column) => column.notNull())
        .addColumn('repository', 'text', (column) => column.notNull())
        .addColumn('tag', 'text', (column) => column.notNull())
        .addColumn('digest', 'text', (column) => column.notNull())
        .addColumn('seen_at', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('source_changes_pk', ['registry_id', 'repository', 'tag', 'digest'])
        .execute();
    },
  },
  {
    name: '0003-closed-runs',
    async up(db) {
      await db.schema.alterTable('executions').addColumn('summary', 'text').execute();
      await db.schema.alterTable('executions').addColumn('closed_at', 'text').execute();
      await db.schema
        .createTable('run_pages')
        .addColumn('workflow_id', 'text', (column) => column.notNull())
        .addColumn('page', 'integer', (column) => column.notNull())
        .addColumn('first_task_id', 'integer', (column) => column.notNull())
        .addColumn('task_count', 'integer', (column) => column.notNull())
        .addColumn('tasks', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('run_pages_pk', ['workflow_id', 'page'])
        .execute();
    },
  },
  {
    // The key salt lives in `meta` (secret-key.ts), which 0001 made; only tokens need a column.
    name: '0004-token-expiry-and-key-salt',
    async up(db) {
      await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
    },
  },
  {
    name: '0005-registry-limits',
    async up(db) {
      await db.schema.alterTable('registries').addColumn('max_connections', 'integer').execute();
      await db.schema.alterTable('registries').addColumn('max_requests_in_flight', 'integer').execute();
    },
  },
  {
    name: '0006-notifications',
    async up(db, kind) {
      await db.schema
        .createTable('notification_policies')
        .addColumn('id', 'integer', generatedId(kind))
        .addColumn('name', 'text', (column) => column.notNull().unique())
        .addColumn('description', 'text', (column) => column.notNull())
        .addColumn('enabled', 'integer', (column) => column.notNull())
        .addColumn('event_types', 'text', (column) => column.notNull())
        .addColumn('notify_type', 'text', (column) => column.notNull())
        .addColumn('address', 'text', (column) => column.notNull())
        .addColumn('auth_header', 'text')
        .addColumn('skip_cert_verify', 'integer', (column) => column.notNull())
        .addColumn('payload_format', 'text', (column) => column.notNull())
        .addColumn('hmac_secret', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('notification_deliveries')
        .addColumn('id', 'integer', generatedId(kind))
        .addColumn('event_key', 'text', (column) => column.notNull())
        .addColumn('policy_id', 'integer', (column) =>
          column.notNull().references('notification_policies.id').onDelete('cascade'),
        )
        .addColumn('event_type', 'text', (column) => column.notNull())
        .addColumn('workflow_id', 'text')
        .addColumn('payload', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull())
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error_code', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .addColumn('delivered_at', 'text')
        .addUniqueConstraint('notification_deliveries_event', ['event_key', 'policy_id'])
        .execute();
      await db.schema
        .createIndex('notification_deliveries_workflow')
        .on('notification_deliveries')
        .column('workflow_id')
        .execute();
      await db.schema
        .createIndex('notification_deliveries_policy')
        .on('notification_deliveries')
        .columns(['policy_id', 'id'])
        .execute();
      await db.schema
        .createTable('drift_states')
        .addColumn('policy_id', 'integer', (column) =>
          column.notNull().references('policies.id').onDelete('cascade'),
        )
        .addColumn('registry_id', 'integer', (column) => column.notNull())
        .addColumn('drifting', 'integer', (column) => column.notNull())
        .addColumn('audited_at', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('drift_states_pk', ['policy_id', 'registry_id'])
        .execute();
    },
  },
  {
    name: '0007-prune-plan-pages',
    async up(db) {
      await db.schema
        .createTable('prune_plan_pages')
        .addColumn('plan_id', 'text', (column) => column.notNull())
        .addColumn('page', 'integer', (column) => column.notNull())
        .addColumn('run_workflow_id', 'text', (column) => column.notNull())
        .addColumn('artifacts', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('prune_plan_pages_pk', ['plan_id', 'page'])
        .execute();
      await db.schema
        .createIndex('prune_plan_pages_run')
        .on('prune_plan_pages')
        .column('run_workflow_id')
        .execute();
    },
  },
];

/**
 * Brings the schema to the latest version inside one write transaction: it holds the store's
 * write lock (SQLite `begin immediate`, PostgreSQL's advisory lock), so processes starting at
 * once on one database migrate one after the other, and each sees what the previous one did.
 */
export async function migrateToLatest(dialect: StoreDialect): Promise<string[]> {
  const applied: string[] = [];
  await dialect.writeTransaction(async (db) => {
    await db.schema
      .createTable('regatta_migrations')
      .ifNotExists()
      .addColumn('name', 'text', (column) => column.primaryKey())
      .addColumn('applied_at', 'text', (column) => column.notNull())
      .execute();
    const done = new Set(
      (await db.selectFrom('regatta_migrations').select('name').execute()).map((row) => row.name),
    );
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      await migration.up(db, dialect.kind);
      await db
        .insertInto('regatta_migrations')
        .values({ name: migration.name, applied_at: new Date().toISOString() })
        .execute();
      applied.push(migration.name);
    }
  });
  return applied;
}
