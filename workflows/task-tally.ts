import type { ReplicationTask, TaskStatus, TaskTally } from '../contract/index.js';

export function emptyTally(): TaskTally {
  return {
    statuses: { Pending: 0, InProgress: 0, Succeed: 0, Failed: 0, Stopped: 0 },
    outcomes: {},
    bytes: 0,
  };
}

/** A page about to start: all its tasks pending. */
export function pendingTally(taskCount: number): TaskTally {
  const tally = emptyTally();
  tally.statuses.Pending = taskCount;
  return tally;
}

export function tallyTasks(
  tasks: readonly Pick<ReplicationTask, 'status' | 'bytes' | 'outcome'>[],
): TaskTally {
  const tally = emptyTally();
  for (const task of tasks) {
    tally.statuses[task.status] = (tally.statuses[task.status] ?? 0) + 1;
    if (task.outcome) tally.outcomes[task.outcome] = (tally.outcomes[task.outcome] ?? 0) + 1;
    tally.bytes += task.bytes;
  }
  return tally;
}

export function addTallies(tallies: readonly TaskTally[]): TaskTally {
  const sum = emptyTally();
  for (const tally of tallies) {
    for (const [status, count] of Object.entries(tally.statuses))
      sum.statuses[status as TaskStatus] = (sum.statuses[status as TaskStatus] ?? 0) + count;
    for (const [outcome, count] of Object.entries(tally.outcomes))
      sum.outcomes[outcome] = (sum.outcomes[outcome] ?? 0) + count;
    sum.bytes += tally.bytes;
  }
  return sum;
}

export function tallyTotal(tally: TaskTally): number {
  return Object.values(tally.statuses).reduce((sum, count) => sum + count, 0);
}

/** The tally once a stop has ended every unfinished task. */
export function stopUnfinished(tally: TaskTally): TaskTally {
  const { Pending = 0, InProgress = 0, Stopped = 0 } = tally.statuses;
  return {
    ...tally,
    statuses: { ...tally.statuses, Pending: 0, InProgress: 0, Stopped: Stopped + Pending + InProgress },
  };
}
