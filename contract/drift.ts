import { z } from 'zod';
import { PolicySnapshot, VerifyMode } from '../policies/index.js';

export const DriftAuditInput = z.object({
  policy: PolicySnapshot,
  verify: VerifyMode.default('off'),
});
export type DriftAuditInput = Omit<z.input<typeof DriftAuditInput>, 'policy'> & { policy: PolicySnapshot };

/** A tag in scope, with its digest at the source and at the destination (absent where it is not). */
export const DriftEntry = z.object({
  repository: z.string(),
  tag: z.string(),
  sourceDigest: z.string().optional(),
  destinationDigest: z.string().optional(),
});
export type DriftEntry = z.infer<typeof DriftEntry>;

export const UnservableEntry = z.object({
  repository: z.string(),
  tag: z.string(),
  problems: z.array(z.object({ digest: z.string().optional(), code: z.string(), message: z.string() })),
});
export type UnservableEntry = z.infer<typeof UnservableEntry>;

/** How far one destination is from the source, within the policy's filters. */
export const DestinationDrift = z.object({
  registryId: z.number().int(),
  name: z.string(),
  missing: z.number().int(),
  different: z.number().int(),
  extra: z.number().int(),
  /** Tags checked by verification, and those the destination cannot serve in full. */
  verified: z.number().int(),
  unservable: z.number().int(),
  /** Age of the oldest source change not yet at the destination; 0 when in sync. */
  recoveryPointSeconds: z.number(),
  oldestPendingChange: z.string().optional(),
  /** The first entries of each kind, so a report stays small for registries of any size. */
  samples: z.object({
    missing: z.array(DriftEntry),
    different: z.array(DriftEntry),
    extra: z.array(DriftEntry),
    unservable: z.array(UnservableEntry),
  }),
});
export type DestinationDrift = z.infer<typeof DestinationDrift>;

export const DriftFindings = z.object({
  /** Tags in scope at the source. */
  sourceTags: z.number().int(),
  destinations: z.array(DestinationDrift),
});
export type DriftFindings = z.infer<typeof DriftFindings>;

export const DriftReport = DriftFindings.extend({
  policyId: z.number().int(),
  policyName: z.string(),
  verify: VerifyMode,
  startedAt: z.string(),
  finishedAt: z.string(),
});
export type DriftReport = z.infer<typeof DriftReport>;

/** Entries kept per kind in a report. */
export const driftSampleSize = 100;

/** Whether a destination differs from the source in any way the audit counts. */
export function hasDrift(
  destination: Pick<DestinationDrift, 'missing' | 'different' | 'extra' | 'unservable'>,
): boolean {
  return destination.missing + destination.different + destination.extra + destination.unservable > 0;
}
