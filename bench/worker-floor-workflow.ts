// The trivial workflow of bench/worker-floor.ts: one activity, nothing of Regatta's.
import { proxyActivities } from '@temporalio/workflow';

const { echo } = proxyActivities<{ echo(value: number): Promise<number> }>({
  startToCloseTimeout: '10 seconds',
});

export async function trivial(value: number): Promise<number> {
  return await echo(value);
}
