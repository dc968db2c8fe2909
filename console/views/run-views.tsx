import type { ComponentChildren } from 'preact';
import type { ExecutionStatus, ReplicationTask, TaskStatus } from '../../contract/index.js';
import { taskLog, type ExecutionFacts } from '../../service/index.js';
import type { Session } from '../session/session-store.js';
import { formatBytes } from './format.js';
import { PostButton, StatusBadge, TimeAgo, Table } from './parts.js';

const statusFilters: Array<ExecutionStatus | ''> = ['', 'InProgress', 'Succeed', 'Failed', 'Stopped'];

/** Tasks done (succeeded, failed or stopped) of all known so far; the total grows while a run enumerates. */
function tally(run: ExecutionFacts) {
  const counts = run.summary?.counts ?? { total: 0, failed: 0, succeed: 0, in_progress: 0, stopped: 0 };
  return { ...counts, done: counts.succeed + counts.failed + counts.stopped };
}

export function RunList(props: {
  runs: ExecutionFacts[];
  total: number;
  status: ExecutionStatus | undefined;
  policyId: number | undefined;
  policyNames: ReadonlyMap<number, string>;
  now: number;
}) {
  const query = (status: string) => {
    const params = new URLSearchParams();
    if (status) params.set('status', status);
    if (props.policyId !== undefined) params.set('policy_id', String(props.policyId));
    const text = params.toString();
    return text ? `/runs?${text}` : '/runs';
  };
  const running = props.runs.some((run) => run.status === 'InProgress');
  return (
    <section
      id="runs"
      aria-label="Runs"
      {...(running
        ? {
            'hx-get': query(props.status ?? ''),
            'hx-select': '#runs',
            'hx-trigger': 'every 3s',
            'hx-swap': 'outerHTML',
          }
        : {})}
    >
      <nav aria-label="Filter by status" class="toolbar">
        {statusFilters.map((status) => (
          <a
            href={query(status)}
            class="button"
            aria-current={(props.status ?? '') === status ? 'true' : undefined}
          >
            {status || 'All'}
          </a>
        ))}
        {props.policyId !== undefined && (
          <span class="muted">
            of policy {props.policyNames.get(props.policyId) ?? props.policyId} (
            <a href="/runs">all policies</a>)
          </span>
        )}
      </nav>
      {props.runs.length === 0 ? (
        <p class="muted">No run.</p>
      ) : (
        <Table columns={['run', 'policy', 'trigger', 'status', 'tasks done', 'copied', 'started', 'says']}>
          {props.runs.map((run) => {
            const counts = tally(run);
            return (
              <tr data-run={run.id}>
                <td>
                  <a href={`/runs/${run.id}`}>#{run.id}</a>
                  {run.dryRun ? ' (dry run)' : ''}
                </td>
                <td>{props.policyNames.get(run.policyId) ?? run.policyId}</td>
                <td>{run.trigger}</td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td>
                  {counts.done} / {counts.total}
                </td>
                <td>{formatBytes(run.summary?.bytes ?? 0)}</td>
                <td>
                  <TimeAgo iso={run.startTime.toISOString()} now={props.now} />
                </td>
                <td>{run.summary?.statusText ?? ''}</td>
              </tr>
            );
          })}
        </Table>
      )}
      {props.total > props.runs.length && (
        <p class="muted">
          The newest {props.runs.length} of {props.total}.
        </p>
      )}
    </section>
  );
}

/** A run's status and progress: tasks done of those known so far, and bytes. */
export function RunProgress({ run }: { run: ExecutionFacts }) {
  const counts = tally(run);
  const running = run.status === 'InProgress';
  return (
    <section id="progress" class="progress" aria-label="Progress">
      <p>
        <StatusBadge status={run.status} /> {run.summary?.statusText ?? (running ? 'starting…' : '')}
      </p>
      <label for="progress-bar">
        {counts.done} of {counts.total} tasks done ({counts.succeed} succeeded, {counts.failed} failed
        {counts.stopped > 0 ? `, ${counts.stopped} stopped` : ''}) · {formatBytes(run.summary?.bytes ?? 0)}{' '}
        {run.dryRun ? 'to copy' : 'copied'}
      </label>
      <progress
        id="progress-bar"
        max={Math.max(counts.total, 1)}
        value={running || counts.total > 0 ? counts.done : 1}
        data-status={run.status}
      />
    </section>
  );
}

/** A run's page body; while the run is in progress it fetches itself again every second. */
export function RunLive(props: { run: ExecutionFacts; url: string; children: ComponentChildren }) {
  const running = props.run.status === 'InProgress';
  return (
    <div
      id="run"
      {...(running
        ? { 'hx-get': props.url, 'hx-select': '#run', 'hx-trigger': 'every 1s', 'hx-swap': 'outerHTML' }
        : {})}
    >
      {props.children}
    </div>
  );
}

export function RunFacts(props: {
  run: ExecutionFacts;
  policyName: string;
  temporalUrl: string;
  session: Session;
}) {
  const { run } = props;
  return (
    <>
      <dl class="facts">
        <dt>Policy</dt>
        <dd>
          <a href={`/policies/${run.policyId}`}>{props.policyName}</a>
        </dd>
        <dt>Trigger</dt>
        <dd>
          {run.trigger}
          {run.dryRun ? ' (dry run: nothing is written; the tasks are the plan)' : ''}
        </dd>
        <dt>Started</dt>
        <dd>{run.startTime.toISOString()}</dd>
        <dt>Ended</dt>
        <dd>{run.closeTime?.toISOString() ?? '–'}</dd>
        <dt>Workflow</dt>
        <dd>
          <a href={props.temporalUrl} class="mono" rel="noreferrer" target="_blank">
            {run.workflowId}
          </a>{' '}
          (Temporal UI)
        </dd>
      </dl>
      {run.status === 'InProgress' && props.session.user.role === 'admin' && (
        <p class="toolbar">
          <PostButton
            action={`/runs/${run.id}/stop`}
            token={props.session.csrfToken}
            label="Stop"
            kind="danger"
          />
        </p>
      )}
    </>
  );
}

const taskStatuses: Array<TaskStatus | ''> = ['', 'Failed', 'Succeed', 'InProgress', 'Pending', 'Stopped'];

/** A run's tasks (or a dry run's plan), a page at a time; a failed task opens onto its log. */
export function TaskTable(props: {
  runId: number;
  tasks: ReplicationTask[];
  matching: number;
  page: number;
  pageSize: number;
  status: TaskStatus | undefined;
  /** A dry run's tasks are its plan: what a real run started now would do. */
  plan: boolean;
}) {
  const link = (status: string, page: number) => {
    const params = new URLSearchParams();
    if (status) params.set('task_status', status);
    if (page > 1) params.set('page', String(page));
    const text = params.toString();
    return `/runs/${props.runId}${text ? `?${text}` : ''}#tasks`;
  };
  const pages = Math.max(1, Math.ceil(props.matching / props.pageSize));
  return (
    <section id="tasks" aria-label="Tasks">
      <h2>{props.plan ? 'Plan: what a run would do' : 'Tasks'}</h2>
      <nav aria-label="Filter tasks by status" class="toolbar">
        {taskStatuses.map((status) => (
          <a
            href={link(status, 1)}
            class="button"
            aria-current={(props.status ?? '') === status ? 'true' : undefined}
          >
            {status || 'All'}
          </a>
        ))}
      </nav>
      {props.tasks.length === 0 ? (
        <p class="muted">No task{props.status ? ` ${props.status}` : ''} yet.</p>
      ) : (
        <Table columns={['#', 'operation', 'from', 'to', 'status', 'outcome', 'bytes']}>
          {props.tasks.map((task) => (
            <tr data-task={task.id}>
              <td>{task.id}</td>
              <td>{task.operation}</td>
              <td class="mono">{task.srcResource}</td>
              <td class="mono">{task.dstResource}</td>
              <td>
                {task.status}
                {task.status === 'Failed' && (
                  <details>
                    <summary>log</summary>
                    <pre class="log">{taskLog(task)}</pre>
                  </details>
                )}
              </td>
              <td>{task.outcome ?? '–'}</td>
              <td>{formatBytes(task.bytes)}</td>
            </tr>
          ))}
        </Table>
      )}
      {pages > 1 && (
        <nav aria-label="Task pages" class="toolbar">
          {props.page > 1 && <a href={link(props.status ?? '', props.page - 1)}>Previous</a>}
          <span>
            page {props.page} of {pages}
          </span>
          {props.page < pages && <a href={link(props.status ?? '', props.page + 1)}>Next</a>}
        </nav>
      )}
    </section>
  );
}
