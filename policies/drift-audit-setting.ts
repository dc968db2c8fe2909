import { z } from 'zod';
import { errorCode } from '../errors/regatta-error.js';
import { harborCronPattern, harborCronToTemporal } from './harbor-cron.js';

/** off: compare tags and digests; head: also check each manifest and blob is there; deep: also hash every blob. */
export const VerifyMode = z.enum(['off', 'head', 'deep']);
export type VerifyMode = z.infer<typeof VerifyMode>;

/** Regatta's extension: audit the policy's drift on a schedule (Harbor's 6-field cron), so its metrics stay current. */
export const DriftAuditSetting = z
  .strictObject({
    cron: z.string().max(128).meta({ pattern: harborCronPattern }),
    verify: VerifyMode.optional(),
  })
  .superRefine((setting, context) => {
    try {
      harborCronToTemporal(setting.cron);
    } catch (error) {
      if (errorCode(error) !== 'INVALID_INPUT') throw error;
      context.addIssue({ code: 'custom', path: ['cron'], message: (error as Error).message });
    }
  });
export type DriftAuditSetting = z.infer<typeof DriftAuditSetting>;
