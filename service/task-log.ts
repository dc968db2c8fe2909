import type { ReplicationTask } from '../contract/index.js';

/** The plain-text log Harbor serves for a task, written from what the run recorded. */
export function taskLog(task: ReplicationTask): string {
  const lines = [
    `task ${task.id}: ${task.operation} ${task.srcResource} -> ${task.dstResource}`,
    `status: ${task.status}${task.outcome ? ` (${task.outcome})` : ''}`,
    `attempts: ${task.attempts}`,
  ];
  if (task.startTime) lines.push(`started: ${task.startTime}`);
  if (task.endTime) lines.push(`ended: ${task.endTime}`);
  if (task.digest) lines.push(`digest: ${task.digest}`);
  if (task.note) lines.push(`note: ${task.note}`);
  lines.push(`bytes transferred: ${task.bytes}`);
  if (task.error) lines.push(`error ${task.error.code}: ${task.error.message}`);
  return `${lines.join('\n')}\n`;
}
