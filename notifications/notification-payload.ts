import { z } from 'zod';
import {
  ExecutionStatus,
  TaskCounts,
  Trigger,
  type DriftChangedSubject,
  type ExecutionSummary,
  type ReplicationTask,
  type RunEndedSubject,
} from '../contract/index.js';
import { VerifyMode } from '../policies/index.js';

// The JSON a notification carries (payload_format `Default`): names, ids, counts and links,
// never a credential or a secret. One schema per event kind; `type` tells them apart.

const Named = z.object({ id: z.number().int(), name: z.string() });

/** Failed tasks of one site that failed for one reason: how many, the first one's words and resource. */
export const FailureSummary = z.object({
  site: z.string(),
  code: z.string(),
  tasks: z.number().int(),
  message: z.string(),
  example: z.string(),
});
export type FailureSummary = z.infer<typeof FailureSummary>;

export const RunPayload = z.object({
  type: z.enum(['run_failed', 'run_succeeded']),
  occurred_at: z.string(),
  policy: Named,
  source: Named,
  sites: z.array(Named),
  execution: TaskCounts.extend({
    id: z.number().int(),
    status: ExecutionStatus,
    status_text: z.string(),
    trigger: Trigger,
    workflow_id: z.string(),
    bytes: z.number(),
    /** The execution in the API. */
    url: z.string(),
  }),
  /** Failed tasks grouped by site and error code, most tasks first. */
  failures: z.array(FailureSummary),
  /** More reasons than `failures` lists, or tasks that could not be read. */
  failures_truncated: z.boolean(),
});
export type RunPayload = z.infer<typeof RunPayload>;

export const DriftPayload = z.object({
  type: z.enum(['drift_detected', 'drift_cleared']),
  occurred_at: z.string(),
  policy: Named,
  site: Named,
  drift: z.object({
    missing: z.number().int(),
    different: z.number().int(),
    extra: z.number().int(),
    unservable: z.number().int(),
    recovery_point_seconds: z.number(),
    verify: VerifyMode,
  }),
  /** The policy's newest audit in the API. */
  url: z.string(),
});
export type DriftPayload = z.infer<typeof DriftPayload>;

/** What `POST /webhook/policies/{id}/test` sends. */
export const PingPayload = z.object({
  type: z.literal('ping'),
  occurred_at: z.string(),
  notification_policy: Named,
});
export type PingPayload = z.infer<typeof PingPayload>;

export const NotificationPayload = z.discriminatedUnion('type', [RunPayload, DriftPayload, PingPayload]);
export type NotificationPayload = z.infer<typeof NotificationPayload>;

/** Reasons listed in a run's payload. */
export const maxFailureSummaries = 10;

/**
 * Failed tasks grouped by site and error code, most first (ties by site and code), at most
 * `limit` groups; `truncated` when there were more.
 */
export function summarizeFailures(
  tasks: readonly ReplicationTask[],
  siteName: (registryId: number) => string,
  limit = maxFailureSummaries,
): { failures: FailureSummary[]; truncated: boolean } {
  const groups = new Map<string, FailureSummary>();
  for (const task of tasks) {
    if (task.status !== 'Failed') continue;
    const site = siteName(task.destinationRegistryId);
    const code = task.error?.code ?? 'UNKNOWN';
    const key = JSON.stringify([site, code]);
    const group = groups.get(key);
    if (group) group.tasks += 1;
    else
      groups.set(key, {
        site,
        code,
        tasks: 1,
        message: task.error?.message ?? '',
        example: task.dstResource,
      });
  }
  const sorted = [...groups.values()].sort(
    (a, b) => b.tasks - a.tasks || a.site.localeCompare(b.site) || a.code.localeCompare(b.code),
  );
  return { failures: sorted.slice(0, limit), truncated: sorted.length > limit };
}

/** What a run's payload is made of: what the run knew, and what it left in the store. */
export interface EndedRun {
  type: RunPayload['type'];
  subject: RunEndedSubject;
  executionId: number;
  trigger: Trigger;
  summary: ExecutionSummary;
  /** When the run's result was kept. */
  endedAt: string;
  sourceName: string;
  /** The run's tasks as kept (all of them, or those of its first pages: `tasksComplete` false). */
  tasks: readonly ReplicationTask[];
  tasksComplete: boolean;
  /** Where the API answers, for links (REGATTA_PUBLIC_URL). */
  baseUrl: string;
}

export function runPayload(run: EndedRun): RunPayload {
  const sites = new Map(run.subject.sites.map((site) => [site.id, site.name]));
  const { failures, truncated } = summarizeFailures(run.tasks, (id) => sites.get(id) ?? `registry-${id}`);
  return {
    type: run.type,
    occurred_at: run.endedAt,
    policy: run.subject.policy,
    source: { id: run.subject.sourceRegistryId, name: run.sourceName },
    sites: run.subject.sites,
    execution: {
      id: run.executionId,
      status: run.summary.status,
      status_text: run.summary.statusText,
      trigger: run.trigger,
      workflow_id: run.subject.workflowId,
      ...run.summary.counts,
      bytes: run.summary.bytes,
      url: `${run.baseUrl}/api/v2.0/replication/executions/${run.executionId}`,
    },
    failures,
    failures_truncated: truncated || (!run.tasksComplete && run.summary.counts.failed > 0),
  };
}

export function driftPayload(
  type: DriftPayload['type'],
  subject: DriftChangedSubject,
  baseUrl: string,
): DriftPayload {
  return {
    type,
    occurred_at: subject.auditedAt,
    policy: subject.policy,
    site: subject.site,
    drift: {
      missing: subject.missing,
      different: subject.different,
      extra: subject.extra,
      unservable: subject.unservable,
      recovery_point_seconds: subject.recoveryPointSeconds,
      verify: subject.verify,
    },
    url: `${baseUrl}/api/v2.0/replication/policies/${subject.policy.id}/drift/last`,
  };
}
