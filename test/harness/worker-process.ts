import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Environment } from '../../cli/environment.js';

const main = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves once the worker polls its task queue. */
  ready: Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `regatta worker` as its own process, as in production, so a test can SIGKILL it. */
export function startWorkerProcess(environment: Environment): WorkerProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(environment)) if (value !== undefined) env[key] = String(value);
  // JSON lines at info level: readiness is read from the worker's own start-up line.
  Object.assign(env, { LOG_PRETTY: '0', LOG_LEVEL: 'info' });
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'worker'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
      if (output.includes('worker polling')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`worker process exited (${code}) before polling: ${output}`)),
    );
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}
