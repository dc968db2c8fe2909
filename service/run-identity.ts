import { createHash } from 'node:crypto';
import { describeArtifact, type Artifact, type Trigger } from '../contract/index.js';
import type { PolicySnapshot } from '../policies/index.js';
import type { RegistryEvent } from './registry-event.js';

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
 * What tells one event from another: the registry's own event id, else the event as delivered
 * (with its time). A delivery sent again carries the same; a new push of the same digest (a tag
 * rolled back, a re-push after a delete) does not.
 */
export function eventKey(event: RegistryEvent): string {
  const identity =
    event.eventId ??
    JSON.stringify([event.action, event.repository, event.tag, event.digest, event.occurredAt]);
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

/**
 * One id per event and policy: `<policy>-<id>/event/<action>/<repo>:<tag>@<digest>/<event key>`.
 * Started with reuse only after a failure, so a delivery sent again starts nothing while its run
 * is going or after it succeeded, and starts it again after it failed.
 */
export function eventRunId(policy: Pick<PolicySnapshot, 'id' | 'name'>, event: RegistryEvent): string {
  const digest = (event.digest ?? '').replace(/^sha256:/, '');
  return `${slug(policy.name)}-${policy.id}/event/${event.action}/${event.repository}:${event.tag ?? ''}@${digest}/${eventKey(event)}`;
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
