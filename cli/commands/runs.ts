import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { ReplicationPolicy } from '../../policies/index.js';
import type { ApiClient } from './api-client.js';
import { findPolicy } from './lookup.js';
import { formatTable, printJson } from './output.js';

/** The fields of the API's execution the CLI shows. */
export const Execution = z.looseObject({
  id: z.number().int(),
  policy_id: z.number().int(),
  status: z.enum(['InProgress', 'Succeed', 'Failed', 'Stopped']),
  trigger: z.string(),
  start_time: z.string(),
  end_time: z.string().nullable(),
  status_text: z.string(),
  total: z.number().int(),
  succeed: z.number().int(),
  failed: z.number().int(),
  in_progress: z.number().int(),
  stopped: z.number().int(),
  bytes: z.number().optional(),
  dry_run: z.boolean().optional(),
});
export type Execution = z.infer<typeof Execution>;

/** The fields of the API's task a plan shows. */
const PlannedTask = z.looseObject({
  src_resource: z.string(),
  dst_resource: z.string(),
  status: z.string(),
  outcome: z.string().nullable(),
  bytes: z.number(),
});

/** `[#####-----] 5/10 done, 1 failed`: a progress bar of the tasks that finished. */
export function progressLine(execution: Execution, width = 20): string {
  const done = execution.succeed + execution.failed + execution.stopped;
  const filled = execution.total > 0 ? Math.round((done / execution.total) * width) : 0;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  return (
    `run ${execution.id} ${execution.status} ${bar} ${done}/${execution.total} done, ` +
    `${execution.succeed} succeeded, ${execution.failed} failed`
  );
}

async function readExecution(client: ApiClient, id: string | number): Promise<Execution> {
  return Execution.parse(await client.get(`/replication/executions/${id}`));
}

/**
 * `regatta run POLICY [--wait] [--dry-run]`: starts a run; with --wait, 0 only when it succeeds.
 * A dry run always waits: its output is the plan.
 */
export async function runPolicy(
  client: ApiClient,
  reference: string,
  options: { wait: boolean; dryRun?: boolean; json: boolean; intervalMs?: number },
): Promise<number> {
  const policy = await findPolicy(client, reference);
  const id = await client.create('/replication/executions', {
    policy_id: policy.id,
    ...(options.dryRun ? { dry_run: true } : {}),
  });
  if (!options.wait && !options.dryRun) {
    if (options.json) printJson({ id, policy_id: policy.id });
    else process.stdout.write(`started run ${id} of policy ${policy.name}\n`);
    return 0;
  }
  let execution = await readExecution(client, id);
  let last = '';
  // Progress goes to stderr so `--json` output on stdout stays one document.
  const tty = process.stderr.isTTY;
  for (;;) {
    const line = progressLine(execution);
    if (line !== last) process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
    last = line;
    if (execution.status !== 'InProgress') break;
    await sleep(options.intervalMs ?? 1000);
    execution = await readExecution(client, id);
  }
  if (tty) process.stderr.write('\n');
  if (options.dryRun) await printPlan(client, execution, options.json);
  else if (options.json) printJson(execution);
  else
    process.stdout.write(
      `run ${id} of policy ${policy.name}: ${execution.status}${execution.status_text ? ` (${execution.status_text})` : ''}\n`,
    );
  return execution.status === 'Succeed' ? 0 : 1;
}

/** A dry run's tasks: what the real run would do at each destination. */
async function printPlan(client: ApiClient, execution: Execution, json: boolean): Promise<void> {
  const tasks = z
    .array(PlannedTask)
    .parse(await client.listAll(`/replication/executions/${execution.id}/tasks`));
  if (json) {
    printJson({ execution, tasks });
    return;
  }
  process.stdout.write(
    formatTable(
      ['SOURCE', 'DESTINATION', 'ACTION', 'BYTES'],
      tasks.map((task) => [
        task.src_resource,
        task.dst_resource,
        task.status === 'Succeed' ? (task.outcome ?? '') : task.status,
        String(task.bytes),
      ]),
    ),
  );
  process.stdout.write(`run ${execution.id}: ${execution.status_text}\n`);
}

function executionRow(execution: Execution, policyName: string): string[] {
  return [
    String(execution.id),
    policyName,
    execution.status,
    execution.trigger,
    execution.start_time,
    `${execution.succeed}/${execution.total}`,
    String(execution.failed),
  ];
}

const executionHeaders = ['ID', 'POLICY', 'STATUS', 'TRIGGER', 'STARTED', 'SUCCEEDED', 'FAILED'];

/** `regatta runs [POLICY]`: the newest runs, of one policy or all. */
export async function listRuns(
  client: ApiClient,
  reference: string | undefined,
  options: { json: boolean; limit: number },
): Promise<number> {
  const policy = reference === undefined ? undefined : await findPolicy(client, reference);
  const params = new URLSearchParams({
    page_size: String(options.limit),
    sort: '-id',
    ...(policy ? { policy_id: String(policy.id) } : {}),
  });
  const executions = z
    .array(Execution)
    .parse(await client.get(`/replication/executions?${params.toString()}`));
  if (options.json) {
    printJson(executions);
    return 0;
  }
  const policies = policy ? [policy] : await client.listAll<ReplicationPolicy>('/replication/policies');
  const names = new Map(policies.map((item) => [item.id, item.name]));
  process.stdout.write(
    formatTable(
      executionHeaders,
      executions.map((execution) =>
        executionRow(execution, names.get(execution.policy_id) ?? String(execution.policy_id)),
      ),
    ),
  );
  return 0;
}

/** `regatta status RUN`: one run's state; exit 0 unless it failed or was stopped. */
export async function runStatus(client: ApiClient, id: string, options: { json: boolean }): Promise<number> {
  const execution = await readExecution(client, id);
  if (options.json) printJson(execution);
  else {
    process.stdout.write(`${progressLine(execution)}\n`);
    if (execution.status_text) process.stdout.write(`${execution.status_text}\n`);
    process.stdout.write(
      `started ${execution.start_time}${execution.end_time ? `, ended ${execution.end_time}` : ''}\n`,
    );
  }
  return execution.status === 'Failed' || execution.status === 'Stopped' ? 1 : 0;
}
