// Starts the real API (Express on port 0) on a real store in a temporary folder, capturing every
// log line, for the api-*.test.ts files.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp, type AppDependencies } from '../../api/app.js';
import { resolveAdminPassword } from '../../api/auth/admin-password.js';
import { serve, type RunningServer } from '../../api/serve.js';
import { createLogger } from '../../cli/logger.js';
import { openStore, type Store } from '../../store/index.js';

export interface ApiTestServer {
  url: string;
  dataDir: string;
  store: Store;
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
  Pick<AppDependencies, 'pingRegistry' | 'policyHooks' | 'maxFailedLogins' | 'isTemporalReachable'>
> & { dataDir?: string; logs?: string[]; databaseUrl?: string | undefined };

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
  let server: RunningServer;
  try {
    const app = createApp({
      logger,
      store,
      adminPassword: password,
      isTemporalReachable: options.isTemporalReachable ?? (() => Promise.resolve(true)),
      ...(options.pingRegistry ? { pingRegistry: options.pingRegistry } : {}),
      ...(options.policyHooks ? { policyHooks: options.policyHooks } : {}),
      ...(options.maxFailedLogins ? { maxFailedLogins: options.maxFailedLogins } : {}),
    });
    server = await serve(app, 0, '127.0.0.1');
  } catch (error) {
    await store.close();
    throw error;
  }
  const close = async () => {
    await server.close();
    await store.close();
  };
  return {
    url: `http://127.0.0.1:${server.port}`,
    dataDir,
    store,
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
