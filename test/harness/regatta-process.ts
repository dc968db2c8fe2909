import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Environment } from '../../server/environment.js';

// The `regatta` command itself: it finds its own tsx, whatever the process's folder.
const bin = fileURLToPath(new URL('../../bin/regatta.js', import.meta.url));

export interface RegattaProcess {
  child: ChildProcess;
  /** Resolves with the first match of `readyWhen` in the process's output. */
  ready: Promise<RegExpExecArray>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * `regatta api`, `regatta worker` or `regatta dev` as its own process, as in production, so a test
 * can SIGKILL it; `options` add variables the process reads itself (NODE_EXTRA_CA_CERTS) and its folder.
 */
export function startRegattaProcess(
  command: 'api' | 'worker' | 'dev',
  environment: Environment,
  readyWhen: RegExp,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): RegattaProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const [key, value] of Object.entries(environment)) if (value !== undefined) env[key] = String(value);
  // JSON lines at info level: readiness is read from the process's own start-up line.
  Object.assign(env, { LOG_PRETTY: '0', LOG_LEVEL: 'info' });
  const child = spawn(process.execPath, [bin, command], {
    env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<RegExpExecArray>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
      const match = readyWhen.exec(output);
      if (match) resolve(match);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`regatta ${command} exited (${code}) before it was ready: ${output}`)),
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
