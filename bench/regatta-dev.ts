// Regatta as a user runs it, for the benches: `regatta dev` (its own Temporal dev server, the API
// and a worker in one process), registries and policies over the API, manual runs timed from
// POST to the run's end.
import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { freePort } from '../test/harness/free-port.js';

const adminPassword = 'bench-admin-password';

export interface Regatta {
  api: string;
  pid: number;
  /** The dev server's gRPC address, for reading workflow histories. */
  temporalAddress: string;
  /** A client of its Temporal dev server, to await runs. */
  temporal: Client;
  stop(): Promise<void>;
}

export interface RegattaOptions {
  /** Runs the compiled Regatta (dist/, from `npm run build`), as the image runs it. */
  built?: boolean;
  /** Modules the process imports before Regatta (`--import`), such as profiling hooks. */
  imports?: readonly string[];
  /** More environment for the process (NODE_OPTIONS, say). */
  env?: Readonly<Record<string, string>>;
}

/** Starts `regatta dev` from `checkout` with its state in `dir`; resolves once the API is ready. */
export async function startRegatta(
  dir: string,
  checkout: string,
  options: RegattaOptions = {},
): Promise<Regatta> {
  const port = await freePort();
  const temporalPort = await freePort();
  const env = {
    ...process.env,
    REGATTA_API_PORT: String(port),
    REGATTA_API_HOST: '127.0.0.1',
    REGATTA_DATA_DIR: join(dir, 'data'),
    REGATTA_ADMIN_PASSWORD: adminPassword,
    TEMPORAL_DEV_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(await freePort()),
    REGATTA_WORKER_METRICS_ADDRESS: 'off',
    LOG_LEVEL: 'warn',
    LOG_PRETTY: '0',
    ...options.env,
  };
  const hooks = (options.imports ?? []).flatMap((module) => ['--import', module]);
  // `npm start` is `tsx cli/main.ts dev`; node --import tsx is the same without npm's start-up.
  const entry = options.built ? ['dist/cli/main.js'] : ['--import', 'tsx', 'cli/main.ts'];
  const child = spawn(process.execPath, [...hooks, ...entry, 'dev'], {
    cwd: checkout,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const api = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`regatta dev exited (${child.exitCode})`);
    try {
      const response = await request(`${api}/readyz`, { headersTimeout: 2000 });
      await response.body.dump();
      if (response.statusCode === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('regatta dev not ready in 120 s');
    await sleep(200);
  }
  const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  return {
    api,
    pid: child.pid!,
    temporalAddress: `127.0.0.1:${temporalPort}`,
    temporal: new Client({ connection }),
    async stop() {
      await connection.close();
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
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

/** The highest resident set the process reached (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}
