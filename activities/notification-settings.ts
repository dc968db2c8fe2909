import { defaultDeliverySchedule, type DeliverySchedule } from '../contract/index.js';

/** How the worker tells: where the API answers (for links) and how deliveries are tried. */
export interface NotificationSettings {
  /** REGATTA_PUBLIC_URL: links in payloads start here. */
  baseUrl: string;
  schedule: DeliverySchedule;
  /** REGATTA_NOTIFICATION_DELIVERIES_KEPT: settled deliveries kept per notification policy (0: all). */
  deliveriesKept: number;
}

export const defaultNotificationSettings: NotificationSettings = {
  baseUrl: 'http://localhost:8080',
  schedule: defaultDeliverySchedule,
  deliveriesKept: 1000,
};
