import { describeArtifact, type Artifact, type Trigger } from '../contract/index.js';
import type { PolicySnapshot } from '../policies/index.js';

/** Workflow ids allow letters, digits and most punctuation; keep them readable in the UI. */
function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80);
}

function compactTime(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** `prod-to-sites/manual/20261128T130000Z-1a2b`: policy, trigger and time, with a suffix against clashes. */
export function manualRunId(policy: Pick<PolicySnapshot, 'name'>, now: Date, suffix: string): string {
  return `${slug(policy.name)}/manual/${compactTime(now)}-${suffix}`;
}

/** Schedules append their own timestamp to this prefix. */
export function scheduledRunIdPrefix(policy: Pick<PolicySnapshot, 'name'>): string {
  return `${slug(policy.name)}/scheduled`;
}

/**
 * Deterministic for an event: duplicate deliveries of one push map to one id, so Temporal starts
 * one run however often the registry delivers it.
 */
export function eventRunId(
  policy: Pick<PolicySnapshot, 'id' | 'name'>,
  artifact: Artifact,
  action: 'push' | 'delete',
): string {
  const digest = (artifact.digest ?? '').replace(/^sha256:/, '');
  return `${slug(policy.name)}-${policy.id}/event/${action}/${artifact.repository}:${artifact.tag ?? ''}@${digest}`;
}

/** One audit per policy and mode at a time: concurrent requests share it. */
export function driftAuditId(policyId: number, verify: string): string {
  return `regatta-drift-${policyId}-${verify}`;
}

/** Every schedule Regatta owns has this prefix; others in the namespace are left alone. */
export const schedulePrefix = 'regatta-policy-';

export function scheduleId(policyId: number): string {
  return `${schedulePrefix}${policyId}`;
}

export function driftScheduleId(policyId: number): string {
  return `${schedulePrefix}${policyId}-drift`;
}

/** The one-line summary the Temporal UI shows for a run. */
export function runSummary(policy: PolicySnapshot, trigger: Trigger, artifacts?: Artifact[]): string {
  const sites = policy.destinations.map((destination) => destination.name).join(', ');
  const what = artifacts?.length
    ? artifacts.slice(0, 3).map(describeArtifact).join(', ') +
      (artifacts.length > 3 ? ` and ${artifacts.length - 3} more` : '')
    : `${trigger} run`;
  return `${policy.name}: ${what} → ${sites}`;
}
