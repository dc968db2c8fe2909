import type { Environment } from '../../server/environment.js';
import { startRegattaProcess, type RegattaProcess } from './regatta-process.js';

/** Its `ready` resolves once the worker polls its task queue. */
export type WorkerProcess = RegattaProcess;

/** `regatta worker` as its own process, as in production, so a test can SIGKILL it. */
export function startWorkerProcess(environment: Environment): WorkerProcess {
  return startRegattaProcess('worker', environment, /worker polling/);
}
