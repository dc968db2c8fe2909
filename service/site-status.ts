import {
  hasDrift,
  type DestinationDrift,
  type DriftReport,
  type ExecutionStatus,
  type Trigger,
} from '../contract/index.js';
import type { StoredPolicy, VerifyMode } from '../policies/index.js';

/** Whether a site holds what a policy (or all its policies) puts there, as far as is known. */
export type SyncState = 'in_sync' | 'drift' | 'unknown';

/** One run, as the map and a site's page show it. */
export interface RunBrief {
  executionId: number;
  policyId: number;
  policyName: string;
  status: ExecutionStatus;
  trigger: Trigger;
  dryRun: boolean;
  startTime: string;
  endTime?: string;
}

/** Where a site's state for one policy comes from: the newest of its last audit and its last full run. */
export type StatusBasis =
  | { kind: 'audit'; at: string; verify: VerifyMode }
  | { kind: 'run'; at: string; executionId: number }
  | { kind: 'none' };

export interface PolicySiteStatus {
  policyId: number;
  policyName: string;
  enabled: boolean;
  state: SyncState;
  basis: StatusBasis;
  /** The audit's findings at this site, when the state comes from an audit. */
  drift?: DestinationDrift;
}

/** A full run (manual or scheduled, not a plan) copies everything in scope: its end says the site had it all. */
export function isFullRun(run: RunBrief): boolean {
  return !run.dryRun && run.status !== 'InProgress' && run.trigger !== 'event_based';
}

/**
 * One policy's state at one site. The newer evidence wins: a full run that ended after the last
 * audit (and started after the policy was last changed) says in sync when it succeeded and
 * unknown otherwise; else the audit's counts decide.
 */
export function policySiteStatus(
  policy: Pick<StoredPolicy, 'id' | 'name' | 'enabled' | 'update_time'>,
  registryId: number,
  report: DriftReport | undefined,
  lastFullRun: RunBrief | undefined,
): PolicySiteStatus {
  const base = { policyId: policy.id, policyName: policy.name, enabled: policy.enabled };
  const drift = report?.destinations.find((destination) => destination.registryId === registryId);
  const run = lastFullRun?.endTime && lastFullRun.startTime >= policy.update_time ? lastFullRun : undefined;
  if (run?.endTime && (!report || !drift || run.endTime > report.finishedAt)) {
    return {
      ...base,
      state: run.status === 'Succeed' ? 'in_sync' : 'unknown',
      basis: { kind: 'run', at: run.endTime, executionId: run.executionId },
    };
  }
  if (report && drift) {
    return {
      ...base,
      state: hasDrift(drift) ? 'drift' : 'in_sync',
      basis: { kind: 'audit', at: report.finishedAt, verify: report.verify },
      drift,
    };
  }
  return { ...base, state: 'unknown', basis: { kind: 'none' } };
}

/** A site's state over its policies: drift anywhere is drift; in sync only when every policy says so. */
export function siteState(statuses: readonly PolicySiteStatus[]): SyncState {
  if (statuses.some((status) => status.state === 'drift')) return 'drift';
  if (statuses.length === 0 || statuses.some((status) => status.state === 'unknown')) return 'unknown';
  return 'in_sync';
}

/**
 * Drift counts over a site's audited policies, and its worst recovery point: an audit's, or 0
 * where a successful full run is newer; undefined when nothing says.
 */
export function siteDrift(statuses: readonly PolicySiteStatus[]) {
  const audited = statuses.flatMap((status) => (status.drift ? [status.drift] : []));
  const sum = (kind: 'missing' | 'different' | 'extra' | 'unservable') =>
    audited.reduce((total, drift) => total + drift[kind], 0);
  const recoveryPoints = statuses.flatMap((status) => {
    if (status.drift) return [status.drift.recoveryPointSeconds];
    return status.basis.kind === 'run' && status.state === 'in_sync' ? [0] : [];
  });
  return {
    missing: sum('missing'),
    different: sum('different'),
    extra: sum('extra'),
    unservable: sum('unservable'),
    recoveryPointSeconds: recoveryPoints.length > 0 ? Math.max(...recoveryPoints) : undefined,
  };
}
