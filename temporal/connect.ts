import { Connection, type TLSConfig } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError } from '../errors/regatta-error.js';

export interface ConnectOptions {
  address: string;
  /** TLS (mutual with a client certificate); plain gRPC when undefined. */
  tls?: TLSConfig | undefined;
  /** How long to keep trying; a dev server on a loaded 2-core machine can take well over 5 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Connects to Temporal and returns only once the frontend really answers a request. */
export async function connectToTemporal({
  address,
  tls,
  timeoutMs = 60_000,
  signal,
}: ConnectOptions): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    try {
      const connection = await Connection.connect({ address, tls, connectTimeout: 2_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return connection;
      } catch (error) {
        await connection.close();
        throw error;
      }
    } catch (error) {
      lastError = error;
      await sleep(250);
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new EnvironmentError(`Temporal at ${address} did not answer within ${timeoutMs} ms: ${reason}`);
}

/** True when the frontend answers now; used by `/readyz`. */
export async function isTemporalReachable(connection: Connection): Promise<boolean> {
  try {
    await connection.withDeadline(Date.now() + 2_000, () => connection.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}
