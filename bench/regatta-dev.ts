// Regatta as a user runs it, for the benches: `regatta dev` (its own Temporal dev server, the API
// and a worker in one process), registries and policies over the API, manual runs timed from
// POST to Succeed.
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
  stop(): Promise<void>;
}

/** Starts `regatta dev` from `checkout` with its state in `dir`; resolves once the API is ready. */
export async function startRegatta(dir: string, checkout: string): Promise<Regatta> {
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
  };
  // `npm start` is `tsx cli/main.ts dev`; node --import tsx is the same without npm's start-up.
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'dev'], {
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
  return {
    api,
    pid: child.pid!,
    temporalAddress: `127.0.0.1:${temporalPort}`,
    async stop() {
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
  /** From POST to Succeed. */
  seconds: number;
  workflowId: string;
  statusText: string;
}

/** A manual run of the policy, from POST to its Succeed (polled every 25 ms); anything else throws. */
export async function timeRegattaRun(
  regatta: Regatta,
  policyId: number,
  limitMs = 30 * 60_000,
): Promise<TimedRun> {
  const started = performance.now();
  const { location } = await callApi(regatta, 'POST', '/replication/executions', { policy_id: policyId });
  const path = `/replication/executions/${idOf(location)}`;
  const deadline = Date.now() + limitMs;
  for (;;) {
    const { json } = await callApi(regatta, 'GET', path);
    if (json.status === 'Succeed')
      return {
        seconds: (performance.now() - started) / 1000,
        workflowId: String(json.workflow_id),
        statusText: String(json.status_text),
      };
    if (json.status !== 'InProgress') throw new Error(`run ${path}: ${json.status} ${json.status_text}`);
    if (Date.now() > deadline) throw new Error(`run ${path} not done in ${limitMs / 60_000} min`);
    await sleep(25);
  }
}

/** The highest resident set the process reached (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}
