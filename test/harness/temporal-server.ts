import { once } from 'node:events';
import { pino } from 'pino';
import { searchAttributeKeys } from '../../contract/index.js';
import { errorCode } from '../../errors/regatta-error.js';
import { connectToTemporal } from '../../temporal/connect.js';
import { startDevServer, type DevServer } from '../../temporal/dev-server.js';
import { findTemporalCli } from '../../temporal/find-temporal-cli.js';
import { eventually } from './eventually.js';
import { freePort } from './free-port.js';
import { listeningPorts } from './listening-ports.js';

export interface TestTemporal {
  address: string;
  namespace: string;
  /** Its SQLite file, when it keeps one. */
  dbFile?: string;
  /** Stops the server; `start` brings it back on the same port (in memory, so with no history). */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL), as a crash would; with a database file `start` resumes from it. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

const startAttempts = 3;
/** Lines of the server's own output kept, to be shown if it dies while a test uses it. */
const tailLines = 40;

/** A logger for the dev server's output that keeps only its last lines. */
function outputTail(): { logger: pino.Logger; text(): string } {
  const lines: string[] = [];
  const logger = pino(
    { level: 'debug', base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    {
      write(line: string) {
        lines.push(line.trimEnd());
        if (lines.length > tailLines) lines.shift();
      },
    },
  );
  return { logger, text: () => lines.join('\n') };
}

/**
 * A real Temporal dev server on a loopback port; throws if it cannot start, never skips. The dev
 * server cannot listen on port 0, so a free port is picked and the server is taken as started only
 * once its own process holds that port (another process may take a free port first: then a new
 * port is tried).
 */
export async function startTestTemporal(dbFile?: string): Promise<TestTemporal> {
  const cli = findTemporalCli(process.env.TEMPORAL_CLI);
  let server: DevServer | undefined;
  let port = 0;
  /** True while the test itself stops or kills the server. */
  let stopping = false;
  /**
   * False when the server exited before holding the port (most likely: taken by someone else),
   * or, when it `mayMove` to another port, held it but never answered.
   */
  const startOn = async (candidate: number, mayMove = false): Promise<boolean> => {
    const tail = outputTail();
    const started = startDevServer({
      cli,
      port: candidate,
      dbFile,
      searchAttributes: searchAttributeKeys,
      logger: tail.logger,
    });
    server = started;
    stopping = false;
    const child = started.process;
    // A server that dies under a test says so in the test's output, with its last words.
    child.once('exit', (code, signal) => {
      if (stopping || port !== candidate) return;
      process.stderr.write(
        `the Temporal dev server on ${candidate} exited unasked (code ${code}, signal ${signal}); its last output:\n${tail.text()}\n`,
      );
    });
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    try {
      const state = await eventually(
        async () => (exited() ? 'exited' : listeningPorts(child.pid!).includes(candidate) && 'listening'),
        90_000,
        `the Temporal dev server to listen on ${candidate}`,
      );
      if (state === 'exited') return false;
      await (await connectToTemporal({ address: started.address, timeoutMs: 90_000 })).close();
      return true;
    } catch (error) {
      await started.stop();
      if (!mayMove || errorCode(error) !== 'ENVIRONMENT') throw error;
      // Seen once in CI with two test files at a time: listening, but no answer for 90 s.
      process.stderr.write(
        `the Temporal dev server on ${candidate} never answered (${(error as Error).message}); trying another port; its last output:\n${tail.text()}\n`,
      );
      return false;
    }
  };
  for (let attempt = 1; port === 0; attempt++) {
    const candidate = await freePort();
    if (await startOn(candidate, attempt < startAttempts)) port = candidate;
    else if (attempt === startAttempts)
      throw new Error(`the Temporal dev server did not start, ${startAttempts} times`);
  }
  return {
    address: `127.0.0.1:${port}`,
    namespace: 'default',
    ...(dbFile ? { dbFile } : {}),
    start: async () => {
      if (!(await startOn(port)))
        throw new Error(`the Temporal dev server could not listen on ${port} again`);
    },
    stop: async () => {
      stopping = true;
      await server?.stop();
    },
    kill: async () => {
      stopping = true;
      const child = server?.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
