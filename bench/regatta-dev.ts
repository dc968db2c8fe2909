// Regatta as a user runs it, for the benches: `regatta dev` (its own Temporal dev server, the API
// and a worker in one process), or as production runs it (`split`): a Temporal dev server, then
// `regatta api`, then `regatta worker`, three processes on one data folder. Registries and
// policies over the API, manual runs timed from POST to the run's end.
import { Client, Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { taskQueue } from '../contract/index.js';
import { connectToTemporal } from '../temporal/connect.js';
import { startDevServer } from '../temporal/dev-server.js';
import { findTemporalCli } from '../temporal/find-temporal-cli.js';
import { imageRuntime } from '../test/harness/dockerfile.js';
import { freePort } from '../test/harness/free-port.js';

const adminPassword = 'bench-admin-password';
const startLimitMs = 120_000;

/** What each of Regatta's processes runs: `regatta dev` alone, or the API and the worker apart. */
export type RegattaRole = 'dev' | 'api' | 'worker';

export interface Regatta {
  api: string;
  /** Regatta's own processes: `dev`, or (split) `worker` and `api`. */
  processes: ReadonlyArray<{ role: RegattaRole; pid: number }>;
  /** The Temporal dev server's process: `regatta dev`'s child, or the bench's own when split. */
  temporalPid: number | undefined;
  /** The dev server's gRPC address, for reading workflow histories. */
  temporalAddress: string;
  /** A client of its Temporal dev server, to await runs. */
  temporal: Client;
  stop(): Promise<void>;
}

export interface RegattaOptions {
  /**
   * Runs the compiled Regatta (dist/, from `npm run build`) as the checkout's image runs it: with
   * the Node flags of its ENTRYPOINT and the environment of its runtime stage (`asTheImage`).
   */
  built?: boolean;
  /**
   * A Temporal dev server, `regatta api` and `regatta worker` as three processes, as production
   * runs them (with an explicit REGATTA_SECRET_KEY both share), instead of `regatta dev`.
   */
  split?: boolean;
  /** Modules the process imports before Regatta (`--import`), such as profiling hooks; split, the worker's. */
  imports?: readonly string[];
  /** More environment for Regatta's processes (NODE_OPTIONS, say). */
  env?: Readonly<Record<string, string>>;
}

/** How the checkout's image starts Regatta: Node's flags (its ENTRYPOINT's) and its environment. */
export interface AsTheImage {
  nodeFlags: string[];
  env: Record<string, string>;
}

/** What the Dockerfile of `checkout` gives `node dist/cli/main.js`. */
export function asTheImage(checkout: string): AsTheImage {
  const { env, entrypoint } = imageRuntime(readFileSync(join(checkout, 'Dockerfile'), 'utf8'));
  const [command, ...rest] = entrypoint;
  if (command !== 'node') throw new Error(`the image's ENTRYPOINT starts ${String(command)}, not node`);
  return { nodeFlags: rest.filter((arg) => arg.startsWith('-')), env };
}

/** The options as each process starts: built, with the image's Node flags, read once. */
type Launch = RegattaOptions & { nodeFlags: readonly string[] };

/** `regatta <command>` from `checkout`: from source, as `npm start` runs it, or compiled as the image runs it. */
function spawnRegatta(
  command: RegattaRole,
  checkout: string,
  env: NodeJS.ProcessEnv,
  options: Launch,
  imports: readonly string[],
): ChildProcess {
  const hooks = imports.flatMap((module) => ['--import', module]);
  // `npm start` is `tsx cli/main.ts dev`; node --import tsx is the same without npm's start-up.
  const entry = options.built
    ? [...options.nodeFlags, 'dist/cli/main.js']
    : ['--import', 'tsx', 'cli/main.ts'];
  return spawn(process.execPath, [...hooks, ...entry, command], {
    cwd: checkout,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Waits, bounded in time, until `ready` says yes; throws if `child` exits first. */
async function until(child: ChildProcess, name: string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + startLimitMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode})`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${name} not ready in ${startLimitMs / 1000} s`);
    await sleep(200);
  }
}

async function apiIsReady(api: string): Promise<boolean> {
  const response = await request(`${api}/readyz`, { headersTimeout: 2000 });
  await response.body.dump();
  return response.statusCode === 200;
}

/** True once a worker polls Regatta's task queue for both workflow and activity tasks. */
async function workerIsPolling(connection: Connection): Promise<boolean> {
  const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = protos.temporal.api.enums.v1.TaskQueueType;
  const pollers = await Promise.all(
    [TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY].map(async (taskQueueType) => {
      const described = await connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        taskQueueType,
      });
      return described.pollers.length;
    }),
  );
  return pollers.every((count) => count > 0);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** The processes `pid` started, and theirs. */
function descendants(pid: number): number[] {
  const found: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    for (const child of children ? children.split(' ').map(Number) : [])
      found.push(child, ...descendants(child));
  }
  return found;
}

/**
 * Starts Regatta from `checkout` with its state in `dir`: `regatta dev`, or split (see
 * RegattaOptions); resolves once the API is ready and, split, the worker polls.
 */
export async function startRegatta(
  dir: string,
  checkout: string,
  options: RegattaOptions = {},
): Promise<Regatta> {
  const port = await freePort();
  const image = options.built ? asTheImage(checkout) : undefined;
  const launch: Launch = { ...options, nodeFlags: image?.nodeFlags ?? [] };
  const env = {
    ...process.env,
    ...image?.env,
    REGATTA_API_PORT: String(port),
    REGATTA_API_HOST: '127.0.0.1',
    REGATTA_DATA_DIR: join(dir, 'data'),
    REGATTA_ADMIN_PASSWORD: adminPassword,
    REGATTA_WORKER_METRICS_ADDRESS: 'off',
    LOG_LEVEL: 'warn',
    LOG_PRETTY: '0',
    ...options.env,
  };
  const api = `http://127.0.0.1:${port}`;
  return options.split ? startSplit(api, checkout, env, launch) : startDev(api, checkout, env, launch);
}

async function startDev(
  api: string,
  checkout: string,
  env: NodeJS.ProcessEnv,
  options: Launch,
): Promise<Regatta> {
  const temporalPort = await freePort();
  const child = spawnRegatta(
    'dev',
    checkout,
    { ...env, TEMPORAL_DEV_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(await freePort()) },
    options,
    options.imports ?? [],
  );
  await until(child, 'regatta dev', () => apiIsReady(api)).catch(async (error: unknown) => {
    await stopProcess(child);
    throw error;
  });
  const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  // `regatta dev` has started its dev server before its API answers.
  const temporalPid = descendants(child.pid!).find((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('temporal'),
  );
  return {
    api,
    processes: [{ role: 'dev', pid: child.pid! }],
    temporalPid,
    temporalAddress: `127.0.0.1:${temporalPort}`,
    temporal: new Client({ connection }),
    async stop() {
      await connection.close();
      await stopProcess(child);
    },
  };
}

/** A Temporal dev server, then `regatta api`, then `regatta worker`, stopped in the reverse order. */
async function startSplit(
  api: string,
  checkout: string,
  env: NodeJS.ProcessEnv,
  options: Launch,
): Promise<Regatta> {
  const dataDir = env.REGATTA_DATA_DIR!;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // As `regatta dev` starts it: its state in the data folder.
  const devServer = startDevServer({
    cli: findTemporalCli(process.env.TEMPORAL_CLI),
    port: await freePort(),
    dbFile: join(dataDir, 'temporal.db'),
  });
  const children: ChildProcess[] = [];
  let connection: Connection | undefined;
  const stop = async () => {
    await connection?.close();
    for (const child of [...children].reverse()) await stopProcess(child);
    await devServer.stop();
  };
  try {
    connection = await connectToTemporal({ address: devServer.address, timeoutMs: startLimitMs });
    const shared = {
      ...env,
      TEMPORAL_ADDRESS: devServer.address,
      REGATTA_SECRET_KEY: randomBytes(32).toString('hex'),
    };
    const apiProcess = spawnRegatta('api', checkout, shared, options, []);
    children.push(apiProcess);
    await until(apiProcess, 'regatta api', () => apiIsReady(api));
    const workerProcess = spawnRegatta('worker', checkout, shared, options, options.imports ?? []);
    children.push(workerProcess);
    await until(workerProcess, 'regatta worker', () => workerIsPolling(connection!));
    return {
      api,
      processes: [
        { role: 'worker', pid: workerProcess.pid! },
        { role: 'api', pid: apiProcess.pid! },
      ],
      temporalPid: devServer.process.pid,
      temporalAddress: devServer.address,
      temporal: new Client({ connection }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
export async function callApi(regatta: Regatta, method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await request(`${regatta.api}/api/v2.0${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`);
  const location = response.headers.location;
  return {
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    location: String(location ?? ''),
  };
}

export const idOf = (location: string) => Number(location.split('/').pop());

export async function createRegistry(regatta: Regatta, name: string, url: string): Promise<number> {
  const created = await callApi(regatta, 'POST', '/registries', {
    name,
    url,
    type: 'docker-registry',
    insecure: true,
  });
  return idOf(created.location);
}

export interface TimedRun {
  /** From POST to the end of the run. */
  seconds: number;
  workflowId: string;
  statusText: string;
}

/**
 * A manual run of the policy, from POST to its end; a run that does not Succeed throws. The end is
 * awaited through Temporal (the run's workflow closing, when the API first says Succeed), not by
 * polling the API: a poll of a running run is a Temporal describe and a query the worker answers,
 * which the peers' timings do not include. The API is asked once before and once after.
 */
export async function timeRegattaRun(
  regatta: Regatta,
  policyId: number,
  limitMs = 30 * 60_000,
): Promise<TimedRun> {
  const started = performance.now();
  const { location } = await callApi(regatta, 'POST', '/replication/executions', { policy_id: policyId });
  const path = `/replication/executions/${idOf(location)}`;
  const workflowId = String((await callApi(regatta, 'GET', path)).json.workflow_id);
  // A failed run throws here; the API's status below says how it ended. Bounded in time.
  await regatta.temporal
    .withAbortSignal(AbortSignal.timeout(limitMs), () =>
      regatta.temporal.workflow.getHandle(workflowId).result(),
    )
    .catch(() => undefined);
  const seconds = (performance.now() - started) / 1000;
  const { json } = await callApi(regatta, 'GET', path);
  if (json.status !== 'Succeed') throw new Error(`run ${path}: ${json.status} ${json.status_text}`);
  return { seconds, workflowId, statusText: String(json.status_text) };
}

function statusMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
}

/** The highest resident set the process reached (VmHWM), in MiB. */
export const peakRssMiB = (pid: number): number => statusMiB(pid, 'VmHWM');

/** The process's resident set now (VmRSS), in MiB. */
export const rssMiB = (pid: number): number => statusMiB(pid, 'VmRSS');

/**
 * Forgets a process's peak (Linux's clear_refs 5): VmHWM starts again from the present resident set,
 * so the next reading is the peak since now.
 */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** The peak RSS (MiB) of each of Regatta's processes, by its command: `regatta dev`, `regatta worker`, `regatta api`. */
export function regattaPeaks(regatta: Regatta): Array<{ process: string; pid: number; mib: number }> {
  return regatta.processes.map(({ role, pid }) => ({
    process: `regatta ${role}`,
    pid,
    mib: peakRssMiB(pid),
  }));
}
