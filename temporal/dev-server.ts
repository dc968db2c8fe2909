import type { SearchAttributeType } from '@temporalio/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Logger } from 'pino';
import { EnvironmentError } from '../errors/regatta-error.js';

export interface DevServerOptions {
  cli: string;
  ip?: string;
  port: number;
  /** Web UI port; omit for a headless server. */
  uiPort?: number;
  /** SQLite file that keeps workflows across restarts; omit for an in-memory server. */
  dbFile?: string;
  namespace?: string;
  /** Registered as the server starts, so the first workflow can carry them. */
  searchAttributes?: ReadonlyArray<{ name: string; type: SearchAttributeType }>;
  logger?: Logger;
}

// The CLI's names of the search attribute types.
const cliType: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/**
 * One partition per task queue: a task is then picked up by the poll already waiting for it. With
 * the server's four, a poll waiting on another partition gets it only once forwarded, 10–20 ms
 * later; a run's few activities and workflow tasks each paid that (bench:peers, warm runs).
 */
const taskQueueSettings = ['matching.numTaskqueueWritePartitions=1'];

/**
 * Temporal's SQLite file in WAL mode, synced at checkpoints rather than at every commit: each of a
 * run's steps was stored with several fsyncs before its task was handed out (11.8 ms from schedule
 * to start, 3.2 ms this way; a warm run of 20 images 0.221 → 0.197 s, bench:peers). A crash of any
 * process loses nothing committed; an OS crash or a power cut may lose the last commits, never the
 * file, and runs then repeat their last steps, which are idempotent.
 */
const sqlitePragmas = ['journal_mode=wal', 'synchronous=normal'];

/** Where the server listens unless told otherwise: loopback only. */
const defaultIp = '127.0.0.1';

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  /** Stops the server: SIGTERM, then SIGKILL if it has not exited in time. */
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` as a child process. The caller waits for it to answer
 * (`connectToTemporal`): the CLI prints before its frontend is ready.
 */
export function startDevServer(options: DevServerOptions): DevServer {
  const ip = options.ip ?? defaultIp;
  const child = spawn(options.cli, devServerArgs(options), { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = options.logger?.child({ component: 'temporal-dev-server' });
  child.stdout?.on('data', (chunk: Buffer) => log?.debug(chunk.toString().trim()));
  child.stderr?.on('data', (chunk: Buffer) => log?.debug(chunk.toString().trim()));
  child.on('error', (error) => log?.error({ err: error }, 'temporal dev server failed to start'));

  const exited = once(child, 'exit');
  return {
    address: `${ip}:${options.port}`,
    uiUrl: options.uiPort === undefined ? undefined : `http://localhost:${options.uiPort}`,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Rejects when the child exits before it is stopped, so a crashed server is not waited on forever. */
export async function failOnEarlyExit(server: DevServer): Promise<never> {
  const [code, signal] = (await once(server.process, 'exit')) as [number | null, string | null];
  throw new EnvironmentError(`temporal dev server exited early (code ${code}, signal ${signal})`);
}

/** The CLI's arguments for a dev server with these options. */
export function devServerArgs(options: Omit<DevServerOptions, 'cli' | 'logger'>): string[] {
  const ip = options.ip ?? defaultIp;
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port), '--log-level', 'warn'];
  if (options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  if (options.dbFile) {
    args.push('--db-filename', options.dbFile);
    for (const pragma of sqlitePragmas) args.push('--sqlite-pragma', pragma);
  }
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  for (const { name, type } of options.searchAttributes ?? [])
    args.push('--search-attribute', `${name}=${cliType[type]}`);
  for (const setting of taskQueueSettings) args.push('--dynamic-config-value', setting);
  return args;
}
