import { once } from 'node:events';
import { searchAttributeKeys } from '../../contract/index.js';
import { connectToTemporal } from '../../temporal/connect.js';
import { startDevServer, type DevServer } from '../../temporal/dev-server.js';
import { findTemporalCli } from '../../temporal/find-temporal-cli.js';
import { freePort } from './free-port.js';

export interface TestTemporal {
  address: string;
  namespace: string;
  /** Stops the server; `start` brings it back on the same port (in memory, so with no history). */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL), as a crash would; with a database file `start` resumes from it. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

/** A real Temporal dev server on a free loopback port; throws if it cannot start, never skips. */
export async function startTestTemporal(dbFile?: string): Promise<TestTemporal> {
  const cli = findTemporalCli(process.env.TEMPORAL_CLI);
  const port = await freePort();
  let server: DevServer | undefined;
  const start = async () => {
    server = startDevServer({ cli, port, dbFile, searchAttributes: searchAttributeKeys });
    try {
      await (await connectToTemporal({ address: server.address, timeoutMs: 90_000 })).close();
    } catch (error) {
      await server.stop();
      throw error;
    }
  };
  await start();
  return {
    address: `127.0.0.1:${port}`,
    namespace: 'default',
    start,
    stop: async () => server?.stop(),
    kill: async () => {
      const child = server?.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
