// Starts the real API (Express on port 0) on a real store in a temporary folder and a real
// Temporal dev server, capturing every log line, for the api-*.test.ts files.
import { Client, Connection } from '@temporalio/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp, type AppDependencies } from '../../api/app.js';
import { resolveAdminPassword } from '../../api/auth/admin-password.js';
import { serve, type RunningServer } from '../../api/serve.js';
import { searchAttributeKeys } from '../../contract/index.js';
import type { RegistryAccessRules } from '../../registry/index.js';
import { createLogger } from '../../server/logger.js';
import { createReplicationService } from '../../service/index.js';
import { openStore, type Store } from '../../store/index.js';
import { isTemporalReachable } from '../../temporal/connect.js';
import { registerSearchAttributes } from '../../temporal/register-search-attributes.js';
import { startTestTemporal, type TestTemporal } from '../harness/temporal-server.js';

export interface ApiTestServer {
  url: string;
  dataDir: string;
  store: Store;
  /** A client of the API's Temporal server, to look at (or end) what the API started. */
  client: Client;
  adminPassword: string;
  /** `Authorization` header value for admin. */
  admin: string;
  /** Every log line written so far, as text. */
  logs: string[];
  /** Stops the server and closes the store, keeping the data folder. */
  close(): Promise<void>;
  /** close(), then removes the data folder. */
  stop(): Promise<void>;
}

export type ApiTestOptions = Partial<
  Pick<AppDependencies, 'maxFailedLogins' | 'driftWaitMs' | 'webhookRate'>
> & {
  dataDir?: string;
  logs?: string[];
  databaseUrl?: string | undefined;
  /** The rules `regatta api` reads from REGATTA_DOCKER_CONFIG_DIR and REGATTA_REGISTRY_ALLOW. */
  registryAccess?: RegistryAccessRules;
};

/** The API as `regatta api` composes it, on a Temporal dev server of its own (stopped with it). */
export async function startApiTestServer(options: ApiTestOptions = {}): Promise<ApiTestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'regatta-api-')));
  const logs = options.logs ?? [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'debug' }, sink);
  const store = await openStore({
    dataDir,
    databaseUrl: options.databaseUrl,
    logger,
    secretKey: 'api-test-secret-key',
  });
  const { password } = await resolveAdminPassword(dataDir, undefined);
  let temporal: TestTemporal | undefined;
  let connection: Connection | undefined;
  let server: RunningServer;
  try {
    temporal = await startTestTemporal();
    const reachable = await Connection.connect({ address: temporal.address });
    connection = reachable;
    await registerSearchAttributes(connection, temporal.namespace, searchAttributeKeys, logger);
    const client = new Client({ connection, namespace: temporal.namespace });
    const service = createReplicationService({ store, client, registryAccess: options.registryAccess });
    await service.policies.reconcileSchedules(logger);
    const app = createApp({
      logger,
      service,
      adminPassword: password,
      isTemporalReachable: () => isTemporalReachable(reachable),
      ...(options.maxFailedLogins ? { maxFailedLogins: options.maxFailedLogins } : {}),
      ...(options.driftWaitMs !== undefined ? { driftWaitMs: options.driftWaitMs } : {}),
      ...(options.webhookRate ? { webhookRate: options.webhookRate } : {}),
    });
    server = await serve(app, 0, '127.0.0.1');
  } catch (error) {
    await connection?.close();
    await temporal?.stop();
    await store.close();
    throw error;
  }
  const client = new Client({ connection, namespace: temporal.namespace });
  const ownConnection = connection;
  const ownTemporal = temporal;
  const close = async () => {
    await server.close();
    await ownConnection.close();
    await ownTemporal.stop();
    await store.close();
  };
  return {
    url: `http://127.0.0.1:${server.port}`,
    dataDir,
    store,
    client,
    adminPassword: password,
    admin: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`,
    logs,
    close,
    async stop() {
      await close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is empty. */
  body: unknown;
}

/** One request with fetch (keep-alive); the body is sent as JSON unless it is a string. */
export async function call(
  server: Pick<ApiTestServer, 'url'>,
  method: string,
  path: string,
  options: { auth?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.authorization = options.auth;
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: payload,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

/** Harbor's error body: exactly one error with this code; returns its message. */
export function harborError(reply: Reply, status: number, code: string): string {
  if (reply.status !== status)
    throw new Error(`expected ${status} ${code}, got ${reply.status}: ${reply.text}`);
  const body = reply.body as { errors?: Array<{ code: string; message: string }> };
  if (body?.errors?.length !== 1 || body.errors[0]!.code !== code) {
    throw new Error(`expected Harbor's error body with ${code}, got ${reply.text}`);
  }
  return body.errors[0]!.message;
}
