import { z } from 'zod';

/**
 * The fields of Harbor's GeneralInfo (`GET /systeminfo`) that hold for Regatta: local users
 * only (admin and API tokens), nobody registers themselves, no CA to download, never read-only,
 * notifications sent (webhook policies). None of them is a secret, so anyone may read them.
 */
export const SystemInfo = z.object({
  auth_mode: z.literal('db_auth'),
  primary_auth_mode: z.boolean(),
  self_registration: z.boolean(),
  project_creation_restriction: z.literal('adminonly'),
  has_ca_root: z.boolean(),
  read_only: z.boolean(),
  notification_enable: z.boolean(),
  current_time: z.string(),
});
export type SystemInfo = z.infer<typeof SystemInfo>;

export function systemInfo(now: Date = new Date()): SystemInfo {
  return {
    auth_mode: 'db_auth',
    primary_auth_mode: false,
    self_registration: false,
    project_creation_restriction: 'adminonly',
    has_ca_root: false,
    read_only: false,
    notification_enable: true,
    current_time: now.toISOString(),
  };
}
