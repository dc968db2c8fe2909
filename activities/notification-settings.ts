import { defaultDeliverySchedule, type DeliverySchedule } from '../contract/index.js';

/** How the worker tells: where the API answers (for links) and how deliveries are tried. */
export interface NotificationSettings {
  /** REGATTA_PUBLIC_URL: links in payloads start here. */
  baseUrl: string;
  schedule: DeliverySchedule;
}

export const defaultNotificationSettings: NotificationSettings = {
  baseUrl: 'http://localhost:8080',
  schedule: defaultDeliverySchedule,
};
