import type { Selectable } from 'kysely';
import { z } from 'zod';
import { NotificationEventType } from '../policies/index.js';
import type { NotificationDeliveriesTable } from './database.js';
import type { StoreDialect } from './dialect.js';
import type { ListPage } from './list-query.js';

export const DeliveryStatus = z.enum(['pending', 'delivered', 'failed']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** One event told to one notification policy: how it went so far. Never holds a secret. */
export const NotificationDelivery = z.object({
  id: z.number().int(),
  policyId: z.number().int(),
  policyName: z.string(),
  eventType: NotificationEventType,
  /** The run the event is about; absent for drift. */
  workflowId: z.string().optional(),
  status: DeliveryStatus,
  /** Requests sent so far. */
  attempts: z.number().int(),
  lastStatusCode: z.number().int().optional(),
  lastErrorCode: z.string().optional(),
  lastError: z.string().optional(),
  creationTime: z.string(),
  updateTime: z.string(),
  deliveredTime: z.string().optional(),
});
export type NotificationDelivery = z.infer<typeof NotificationDelivery>;

/** An event to queue for one policy; `payload` is its JSON body, built once. */
export interface QueuedDelivery {
  eventKey: string;
  policyId: number;
  eventType: NotificationEventType;
  workflowId?: string | undefined;
  payload: string;
}

/** What one try came to: delivered, failed for good, or still pending (tried again). */
export interface DeliveryAttempt {
  status: DeliveryStatus;
  attempts: number;
  statusCode?: number | undefined;
  errorCode?: string | undefined;
  error?: string | undefined;
}

/** Settled deliveries removed by one sweep at most. */
const sweptAtOnce = 1000;

type Row = Selectable<NotificationDeliveriesTable> & { policy_name: string };

function delivery(row: Row): NotificationDelivery {
  return {
    id: row.id,
    policyId: row.policy_id,
    policyName: row.policy_name,
    eventType: NotificationEventType.parse(row.event_type),
    ...(row.workflow_id !== null ? { workflowId: row.workflow_id } : {}),
    status: DeliveryStatus.parse(row.status),
    attempts: row.attempts,
    ...(row.last_status_code !== null ? { lastStatusCode: row.last_status_code } : {}),
    ...(row.last_error_code !== null ? { lastErrorCode: row.last_error_code } : {}),
    ...(row.last_error !== null ? { lastError: row.last_error } : {}),
    creationTime: row.created_at,
    updateTime: row.updated_at,
    ...(row.delivered_at !== null ? { deliveredTime: row.delivered_at } : {}),
  };
}

/** The outbox of notifications: each delivery queued once, then every try recorded on it. */
export function createNotificationDeliveryStore({ db }: StoreDialect) {
  // Deliveries go with their policy (cascade), so each has its policy's name.
  const withPolicy = () =>
    db
      .selectFrom('notification_deliveries')
      .innerJoin('notification_policies', 'notification_policies.id', 'notification_deliveries.policy_id')
      .selectAll('notification_deliveries')
      .select('notification_policies.name as policy_name');

  return {
    /** Idempotent on (event key, policy): queueing again returns the ids queued the first time. */
    async queue(deliveries: readonly QueuedDelivery[]): Promise<number[]> {
      const ids: number[] = [];
      const now = new Date().toISOString();
      for (const queued of deliveries) {
        await db
          .insertInto('notification_deliveries')
          .values({
            event_key: queued.eventKey,
            policy_id: queued.policyId,
            event_type: queued.eventType,
            workflow_id: queued.workflowId ?? null,
            payload: queued.payload,
            status: 'pending',
            attempts: 0,
            created_at: now,
            updated_at: now,
          })
          .onConflict((conflict) => conflict.columns(['event_key', 'policy_id']).doNothing())
          .execute();
        const { id } = await db
          .selectFrom('notification_deliveries')
          .select('id')
          .where('event_key', '=', queued.eventKey)
          .where('policy_id', '=', queued.policyId)
          .executeTakeFirstOrThrow();
        ids.push(id);
      }
      return ids;
    },

    /** A delivery and its payload; undefined once its policy (and so the delivery) was deleted. */
    async get(id: number): Promise<{ delivery: NotificationDelivery; payload: string } | undefined> {
      const row = await withPolicy().where('notification_deliveries.id', '=', id).executeTakeFirst();
      return row ? { delivery: delivery(row), payload: row.payload } : undefined;
    },

    /** Records a try of a pending delivery. */
    async recordAttempt(id: number, attempt: DeliveryAttempt): Promise<void> {
      const now = new Date().toISOString();
      await db
        .updateTable('notification_deliveries')
        .set({
          status: attempt.status,
          attempts: attempt.attempts,
          last_status_code: attempt.statusCode ?? null,
          last_error_code: attempt.errorCode ?? null,
          last_error: attempt.error ?? null,
          updated_at: now,
          ...(attempt.status === 'delivered' ? { delivered_at: now } : {}),
        })
        .where('id', '=', id)
        // A try that outlived its timeout, answering late, does not undo what came after it.
        .where('status', '=', 'pending')
        .execute();
    },

    /**
     * A delivery still pending when its tries ran out fails, keeping its last try's figures.
     * Answers its policy, undefined when it was not pending (or is gone).
     */
    async abandon(id: number, reason: string): Promise<{ policyId: number } | undefined> {
      const row = await db
        .updateTable('notification_deliveries')
        .set({ status: 'failed', last_error: reason, updated_at: new Date().toISOString() })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .returning('policy_id')
        .executeTakeFirst();
      return row ? { policyId: row.policy_id } : undefined;
    },

    /**
     * Keeps a notification policy's `kept` newest settled deliveries (delivered or failed): the
     * older ones go, drift's and those of runs swept while they were still pending included.
     * Pending ones stay. How many went (a bounded number at a time); idempotent.
     */
    async sweep(policyId: number, kept: number): Promise<number> {
      const settled = await db
        .selectFrom('notification_deliveries')
        .select('id')
        .where('policy_id', '=', policyId)
        .where('status', '!=', 'pending')
        .orderBy('id', 'desc')
        .limit(sweptAtOnce)
        .offset(kept)
        .execute();
      if (settled.length === 0) return 0;
      await db
        .deleteFrom('notification_deliveries')
        .where(
          'id',
          'in',
          settled.map((row) => row.id),
        )
        .execute();
      return settled.length;
    },

    /** What a run's end was told as, to whom, and how it went. */
    async ofWorkflow(workflowId: string): Promise<NotificationDelivery[]> {
      const rows = await withPolicy()
        .where('notification_deliveries.workflow_id', '=', workflowId)
        .orderBy('notification_deliveries.id')
        .execute();
      return rows.map(delivery);
    },

    /** A policy's deliveries, newest first. */
    async ofPolicy(
      policyId: number,
      page: number,
      pageSize: number,
    ): Promise<ListPage<NotificationDelivery>> {
      const { total } = await db
        .selectFrom('notification_deliveries')
        .where('policy_id', '=', policyId)
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      const rows = await withPolicy()
        .where('notification_deliveries.policy_id', '=', policyId)
        .orderBy('notification_deliveries.id', 'desc')
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute();
      return { items: rows.map(delivery), total: Number(total) };
    },
  };
}
export type NotificationDeliveryStore = ReturnType<typeof createNotificationDeliveryStore>;
