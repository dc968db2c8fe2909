import {
  bundleWorkflowCode,
  NativeConnection,
  type Logger,
  Worker,
  type TLSConfig,
  type WorkflowBundle,
} from '@temporalio/worker';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pureFolders, taskQueue } from '../contract/index.js';

/** How a worker runs: where Temporal is, and how much it takes on at once. */
export interface WorkerConfig {
  /** Temporal's frontend, `host:port`. */
  address: string;
  /** TLS to the frontend (mutual with a client certificate); plain gRPC when undefined. */
  tls?: TLSConfig | undefined;
  namespace: string;
  /** Activities run at once. */
  activityConcurrency: number;
  /** Workflow tasks run at once. */
  workflowConcurrency: number;
  /** How long a stopping worker lets its activities finish. */
  shutdownGraceSeconds: number;
}

export interface WorkerOptions extends WorkerConfig {
  activities: object;
  /** Overrides the workflow bundle entry; tests use it for their own workflows. */
  workflowsPath?: string;
  /** Regatta's workflows bundled already (bundleWorkflows), so several workers share one bundle. */
  workflowBundle?: WorkflowBundle;
}

// The same file name from source (tsx, .ts) and from the build (dist, .js).
const moduleExtension = extname(fileURLToPath(import.meta.url));
export const workflowsPath = fileURLToPath(new URL(`../workflows/index${moduleExtension}`, import.meta.url));
const runMetricsInterceptorPath = fileURLToPath(
  new URL(`../workflows/run-metrics-interceptor${moduleExtension}`, import.meta.url),
);

/** Loads the pure folders' modules once per workflow thread, shared by its workflows. */
const pureModulesPath = fileURLToPath(
  new URL(`../workflows/pure-modules${moduleExtension}`, import.meta.url),
);

const checkout = fileURLToPath(new URL('..', import.meta.url));
/**
 * The pure folders' modules (schemas, functions, constants) have no side effects. Said to webpack,
 * the bundle holds only the modules workflows use rather than all that an index re-exports (API-only
 * schemas, minimatch): a smaller bundle in the workflow thread, and only what workflows use loaded
 * by pure-modules.ts.
 */
const sideEffectFree = {
  test: (resource: string) =>
    pureFolders.some((folder) => resource.startsWith(join(checkout, folder, sep))),
  sideEffects: false,
};

/** What a bundle was made from: the files webpack read, and those it looked for and did not find. */
export interface BundleDependencies {
  files: string[];
  missing: string[];
}

/**
 * Regatta's workflows and their interceptors in one bundle, as a worker loads them; tests bundle
 * other versions of the workflow code (`entry`) with the same interceptors. `onDependencies` hears
 * webpack's own account of what the bundle was made from (the bundle cache keys on it).
 */
export function bundleWorkflows(
  entry = workflowsPath,
  logger?: Logger,
  onDependencies?: (dependencies: BundleDependencies) => void,
): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: entry,
    workflowInterceptorModules: [runMetricsInterceptorPath],
    preloadModules: [pureModulesPath],
    webpackConfigHook: (config) => ({
      ...config,
      // Module ids are paths from the checkout: pure-modules.ts finds the pure folders' modules by them.
      context: checkout,
      optimization: { ...config.optimization, moduleIds: 'named' },
      module: { ...config.module, rules: [...(config.module?.rules ?? []), sideEffectFree] },
      plugins: [
        ...(config.plugins ?? []),
        {
          apply: (compiler) =>
            compiler.hooks.done.tap('regatta-bundle-dependencies', ({ compilation }) =>
              onDependencies?.({
                files: [...compilation.fileDependencies],
                missing: [...compilation.missingDependencies],
              }),
            ),
        },
      ],
    }),
    ...(logger ? { logger } : {}),
  });
}

/** Connects to Temporal and creates the worker that polls Regatta's task queue. */
export async function createWorker(
  options: WorkerOptions,
): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: options.address, tls: options.tls });
  try {
    const worker = await Worker.create({
      connection,
      namespace: options.namespace,
      taskQueue,
      ...(options.workflowBundle
        ? { workflowBundle: options.workflowBundle }
        : { workflowsPath: options.workflowsPath ?? workflowsPath }),
      activities: options.activities,
      // A bundle carries its interceptors already.
      ...(options.workflowBundle ? {} : { interceptors: { workflowModules: [runMetricsInterceptorPath] } }),
      maxConcurrentActivityTaskExecutions: options.activityConcurrency,
      maxConcurrentWorkflowTaskExecutions: options.workflowConcurrency,
      shutdownGraceTime: `${options.shutdownGraceSeconds}s`,
      // Cancellation reaches an activity on its next heartbeat: keep that within a second or two.
      maxHeartbeatThrottleInterval: '1 second',
    });
    return { worker, connection };
  } catch (error) {
    await connection.close();
    throw error;
  }
}
