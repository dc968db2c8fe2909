import type { Kysely, Selectable } from 'kysely';
import {
  maskedSecret,
  NotificationEventType,
  notificationPolicyFromInput,
  NotifyType,
  wantsEvent,
  type NotificationPolicyDefinition,
  type NotificationPolicyInput,
  type StoredNotificationPolicy,
} from '../policies/index.js';
import type { Database, NotificationPoliciesTable } from './database.js';
import type { StoreDialect } from './dialect.js';
import {
  pageOfListQuery,
  whereListQuery,
  type ListFields,
  type ListPage,
  type ListQuery,
} from './list-query.js';
import type { SecretBox } from './secret-box.js';
import { ConflictError, NotFoundError } from './store-errors.js';

export const notificationPolicyListFields: ListFields = {
  id: { column: 'id', kind: 'number' },
  name: { column: 'name', kind: 'string' },
  description: { column: 'description', kind: 'string' },
  enabled: { column: 'enabled', kind: 'boolean' },
  creation_time: { column: 'created_at', kind: 'string' },
  update_time: { column: 'updated_at', kind: 'string' },
};

type Row = Selectable<NotificationPoliciesTable>;
const secretPurpose = { auth_header: 'notification.auth_header', hmac_secret: 'notification.hmac_secret' };

/** Notification policies, with their secrets (auth header, HMAC key) sealed by the SecretBox. */
export function createNotificationPolicyStore(
  { db, kind, isUniqueViolation, writeTransaction }: StoreDialect,
  box: SecretBox,
) {
  const sealed = (secret: string | null, purpose: string) =>
    secret === null ? null : box.seal(secret, purpose);
  const columns = ({ targets: [target], ...definition }: NotificationPolicyDefinition) => ({
    name: definition.name,
    description: definition.description,
    enabled: definition.enabled ? 1 : 0,
    event_types: JSON.stringify(definition.event_types),
    notify_type: target!.type,
    address: target!.address,
    auth_header: sealed(target!.auth_header, secretPurpose.auth_header),
    skip_cert_verify: target!.skip_cert_verify ? 1 : 0,
    payload_format: target!.payload_format,
    hmac_secret: sealed(target!.hmac_secret, secretPurpose.hmac_secret),
  });

  /** A row as a stored policy; `open` turns each sealed secret into what the caller may see. */
  const stored = (row: Row, open: (sealed: string, purpose: string) => string): StoredNotificationPolicy => ({
    id: row.id,
    name: row.name,
    description: row.description,
    enabled: row.enabled === 1,
    // An event type or notify type this version does not know is left out, or read as plain http.
    event_types: (JSON.parse(row.event_types) as unknown[]).flatMap((type) => {
      const known = NotificationEventType.safeParse(type);
      return known.success ? [known.data] : [];
    }),
    targets: [
      {
        type: NotifyType.catch('http').parse(row.notify_type),
        address: row.address,
        auth_header: row.auth_header === null ? null : open(row.auth_header, secretPurpose.auth_header),
        skip_cert_verify: row.skip_cert_verify === 1,
        payload_format: 'Default',
        hmac_secret: row.hmac_secret === null ? null : open(row.hmac_secret, secretPurpose.hmac_secret),
      },
    ],
    creation_time: row.created_at,
    update_time: row.updated_at,
  });
  // Reads mask every secret that is set; only getWithSecrets opens them.
  const masked = (row: Row) => stored(row, () => maskedSecret);
  const inClear = (row: Row) => stored(row, (secret, purpose) => box.open(secret, purpose));

  const row = async (id: number, from: Kysely<Database> = db): Promise<Row> => {
    const found = await from
      .selectFrom('notification_policies')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!found) throw new NotFoundError(`notification policy ${id} not found`);
    return found;
  };
  const nameTaken = (error: unknown, name: string) =>
    isUniqueViolation(error)
      ? new ConflictError(`a notification policy named "${name}" already exists`, 'name')
      : error;

  return {
    async create(input: NotificationPolicyInput): Promise<StoredNotificationPolicy> {
      const definition = notificationPolicyFromInput(input);
      const now = new Date().toISOString();
      try {
        const created = await db
          .insertInto('notification_policies')
          .values({ ...columns(definition), created_at: now, updated_at: now })
          .returningAll()
          .executeTakeFirstOrThrow();
        return masked(created);
      } catch (error) {
        throw nameTaken(error, definition.name);
      }
    },

    async get(id: number): Promise<StoredNotificationPolicy> {
      return masked(await row(id));
    },

    async list(query: ListQuery): Promise<ListPage<StoredNotificationPolicy>> {
      const base = whereListQuery(
        db.selectFrom('notification_policies'),
        notificationPolicyListFields,
        query,
      );
      const { total } = await base
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      const rows = await pageOfListQuery(
        base.selectAll(),
        notificationPolicyListFields,
        query,
        kind,
      ).execute();
      return { items: rows.map(masked), total: Number(total) };
    },

    /** Reads, merges the secrets it keeps and writes under the write lock. */
    async update(id: number, input: NotificationPolicyInput): Promise<StoredNotificationPolicy> {
      return writeTransaction(async (trx) => {
        const next = notificationPolicyFromInput(input, inClear(await row(id, trx)));
        const updated = await trx
          .updateTable('notification_policies')
          .set({ ...columns(next), updated_at: new Date().toISOString() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst()
          .catch((error: unknown) => {
            throw nameTaken(error, next.name);
          });
        if (!updated) throw new NotFoundError(`notification policy ${id} not found`);
        return masked(updated);
      });
    },

    /** Its deliveries go with it; one being tried ends untold. */
    async delete(id: number): Promise<void> {
      const deleted = await db.deleteFrom('notification_policies').where('id', '=', id).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0)
        throw new NotFoundError(`notification policy ${id} not found`);
    },

    /** The enabled policies an event of this type is told to (secrets masked). */
    async wanting(type: NotificationEventType): Promise<StoredNotificationPolicy[]> {
      const rows = await db
        .selectFrom('notification_policies')
        .selectAll()
        .where('enabled', '=', 1)
        .execute();
      return rows.map(masked).filter((policy) => wantsEvent(policy, type));
    },

    /** The policy with its secrets in clear: for a delivery's request only, never for a response. */
    async getWithSecrets(id: number): Promise<StoredNotificationPolicy> {
      return inClear(await row(id));
    },
  };
}
export type NotificationPolicyStore = ReturnType<typeof createNotificationPolicyStore>;
