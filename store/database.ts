import type { ColumnType, Generated } from 'kysely';

// The tables as Kysely sees them. Booleans are integers (0/1) and times ISO-8601 text, so the
// same queries run on SQLite and PostgreSQL.

export interface RegistriesTable {
  id: Generated<number>;
  name: string;
  url: string;
  type: string;
  description: string;
  insecure: number;
  ca_certificate: string | null;
  credential_type: string | null;
  access_key: string | null;
  /** AES-256-GCM sealed; see secret-box.ts. */
  access_secret: string | null;
  docker_config_path: string | null;
  /** AES-256-GCM sealed. */
  webhook_secret: string | null;
  created_at: string;
  updated_at: string;
  /** Added by 0005-registry-limits; null: no limit of the registry's own. */
  max_connections: number | null;
  max_requests_in_flight: number | null;
}

export interface PoliciesTable {
  id: Generated<number>;
  name: string;
  src_registry_id: number;
  enabled: number;
  trigger_type: string;
  /** The PolicyDefinition as JSON; the columns beside it exist for queries and constraints. */
  definition: string;
  created_at: string;
  updated_at: string;
}

export interface PolicyDestinationsTable {
  policy_id: number;
  registry_id: number;
  position: number;
}

export interface ExecutionsTable {
  id: Generated<number>;
  policy_id: number;
  workflow_id: string;
  run_id: string | null;
  trigger: string;
  created_at: string;
  /** The run's ExecutionSummary as JSON once it has ended, so a closed run is read without replaying it. */
  summary: ColumnType<string | null, string | null | undefined, string | null>;
  closed_at: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The tasks of one page of a run, kept when the page ends (gzip'd JSON, base64). */
export interface RunPagesTable {
  workflow_id: string;
  page: number;
  first_task_id: number;
  task_count: number;
  tasks: string;
}

/** One page of a mirror's prune plan, kept while its run deletes it (gzip'd JSON, base64). */
export interface PrunePlanPagesTable {
  plan_id: string;
  page: number;
  run_workflow_id: string;
  artifacts: string;
  created_at: string;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  role: string;
  /** SHA-256 of the token; the token itself is shown once, at creation. */
  token_hash: string;
  created_at: string;
  /** When the token stops working; null for never. */
  expires_at: string | null;
}

/**
 * When Regatta first knew of a tag pointing to a digest at a source registry: the registry's push
 * notification, or the first drift audit that found it. The recovery point counts from here.
 */
export interface SourceChangesTable {
  registry_id: number;
  repository: string;
  tag: string;
  digest: string;
  seen_at: string;
}

/** Harbor's webhook policies with one target; secrets AES-256-GCM sealed (secret-box.ts). */
export interface NotificationPoliciesTable {
  id: Generated<number>;
  name: string;
  description: string;
  enabled: number;
  /** JSON array of event types. */
  event_types: string;
  notify_type: string;
  address: string;
  auth_header: string | null;
  skip_cert_verify: number;
  payload_format: string;
  hmac_secret: string | null;
  created_at: string;
  updated_at: string;
}

/** One event to be told to one notification policy, and how telling it went. */
export interface NotificationDeliveriesTable {
  id: Generated<number>;
  /** The telling workflow run and the event's place in it: a retried queueing adds nothing. */
  event_key: string;
  policy_id: number;
  event_type: string;
  /** The run the event is about, for its execution's view; null for drift. */
  workflow_id: string | null;
  /** The event's JSON payload, built once, so every try sends the same body. */
  payload: string;
  /** pending, delivered or failed. */
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error_code: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

/** Whether a site drifted from a policy's source at its newest audit: drift is told when this changes. */
export interface DriftStatesTable {
  policy_id: number;
  registry_id: number;
  drifting: number;
  audited_at: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface MigrationsTable {
  name: string;
  applied_at: ColumnType<string, string, never>;
}

export interface Database {
  registries: RegistriesTable;
  policies: PoliciesTable;
  policy_destinations: PolicyDestinationsTable;
  executions: ExecutionsTable;
  run_pages: RunPagesTable;
  prune_plan_pages: PrunePlanPagesTable;
  api_tokens: ApiTokensTable;
  source_changes: SourceChangesTable;
  notification_policies: NotificationPoliciesTable;
  notification_deliveries: NotificationDeliveriesTable;
  drift_states: DriftStatesTable;
  meta: MetaTable;
  regatta_migrations: MigrationsTable;
}
