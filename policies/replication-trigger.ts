import { z } from 'zod';
import { errorCode } from '../errors/regatta-error.js';
import { harborCronPattern, harborCronToTemporal } from './harbor-cron.js';

export const TriggerType = z.enum(['manual', 'scheduled', 'event_based']);
export type TriggerType = z.infer<typeof TriggerType>;

/** Harbor's trigger; `trigger_settings.cron` is Harbor's 6-field cron, required when scheduled. */
export const ReplicationTrigger = z
  .strictObject({
    type: TriggerType,
    trigger_settings: z
      .strictObject({ cron: z.string().max(128).optional() })
      .nullable()
      .optional(),
  })
  .superRefine((trigger, context) => {
    if (trigger.type !== 'scheduled') return;
    const cron = trigger.trigger_settings?.cron ?? '';
    const path = ['trigger_settings', 'cron'];
    if (cron.trim() === '') {
      context.addIssue({ code: 'custom', path, message: 'is required when the trigger type is scheduled' });
      return;
    }
    try {
      harborCronToTemporal(cron);
    } catch (error) {
      if (errorCode(error) !== 'INVALID_INPUT') throw error;
      context.addIssue({ code: 'custom', path, message: (error as Error).message });
    }
  })
  .meta({
    if: { required: ['type'], properties: { type: { const: 'scheduled' } } },
    then: {
      required: ['trigger_settings'],
      properties: {
        trigger_settings: {
          type: 'object',
          required: ['cron'],
          properties: { cron: { type: 'string', pattern: harborCronPattern } },
        },
      },
    },
  });
export type ReplicationTrigger = z.infer<typeof ReplicationTrigger>;
