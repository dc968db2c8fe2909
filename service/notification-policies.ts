import {
  NotificationEventType,
  NotifyType,
  type NotificationPolicyInput,
  type StoredNotificationPolicy,
} from '../policies/index.js';
import type { ListPage, ListQuery, NotificationDelivery, Store } from '../store/index.js';
import { testNotificationPolicy } from './notification-test.js';

/**
 * Notification policies (Harbor's webhook policies): kept in the store, secrets masked on every
 * read; their deliveries read back; a test sends a ping now.
 */
export function createNotificationPolicies(store: Store) {
  return {
    list: (query: ListQuery): Promise<ListPage<StoredNotificationPolicy>> =>
      store.notificationPolicies.list(query),
    get: (id: number): Promise<StoredNotificationPolicy> => store.notificationPolicies.get(id),
    create: (input: NotificationPolicyInput) => store.notificationPolicies.create(input),
    update: (id: number, input: NotificationPolicyInput) => store.notificationPolicies.update(id, input),
    delete: (id: number): Promise<void> => store.notificationPolicies.delete(id),
    /** A policy's deliveries, newest first. */
    async deliveries(id: number, page: number, pageSize: number): Promise<ListPage<NotificationDelivery>> {
      await store.notificationPolicies.get(id);
      return store.notificationDeliveries.ofPolicy(id, page, pageSize);
    },
    test: (id: number) => testNotificationPolicy(store, id),
    /** Harbor's SupportedWebhookEventTypes: what may be told, how, in which formats. */
    supported: () => ({
      event_type: NotificationEventType.options,
      notify_type: NotifyType.options,
      payload_formats: NotifyType.options.map((type) => ({ notify_type: type, formats: ['Default'] })),
    }),
  };
}
export type NotificationPolicies = ReturnType<typeof createNotificationPolicies>;
