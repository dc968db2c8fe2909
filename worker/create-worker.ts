import { NativeConnection, Worker } from '@temporalio/worker';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { taskQueue } from '../temporal/task-queue.js';
import type { RegistryNames } from './registry-names.js';
import { replicationMetricsInterceptor } from './replication-metrics-interceptor.js';

export interface WorkerOptions {
  address: string;
  namespace: string;
  activities: object;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentWorkflowTaskExecutions: number;
  shutdownGraceTimeSeconds: number;
  /** Overrides the workflow bundle entry; tests use it for their own workflows. */
  workflowsPath?: string;
  /** Names the destinations of the replication metrics; without it, activities are not counted. */
  registryNames?: RegistryNames;
}

// The same file name from source (tsx, .ts) and from the build (dist, .js).
const moduleExtension = extname(fileURLToPath(import.meta.url));
export const workflowsPath = fileURLToPath(new URL(`../workflows/index${moduleExtension}`, import.meta.url));
const runMetricsInterceptorPath = fileURLToPath(
  new URL(`../workflows/run-metrics-interceptor${moduleExtension}`, import.meta.url),
);

/** Connects to Temporal and creates the worker that polls Regatta's task queue. */
export async function createWorker(
  options: WorkerOptions,
): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: options.address });
  try {
    const worker = await Worker.create({
      connection,
      namespace: options.namespace,
      taskQueue,
      workflowsPath: options.workflowsPath ?? workflowsPath,
      activities: options.activities,
      interceptors: {
        workflowModules: [runMetricsInterceptorPath],
        activity: options.registryNames ? [replicationMetricsInterceptor(options.registryNames)] : [],
      },
      maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions,
      maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions,
      shutdownGraceTime: `${options.shutdownGraceTimeSeconds}s`,
      // Cancellation reaches an activity on its next heartbeat: keep that within a second or two.
      maxHeartbeatThrottleInterval: '1 second',
    });
    return { worker, connection };
  } catch (error) {
    await connection.close();
    throw error;
  }
}
