import { pino } from 'pino';
import { startApi, type StartedApi } from '../../server/start-api.js';
import type { RegattaUnderTest } from './regatta-worker.js';
import type { TestBed } from './test-bed.js';

/**
 * The real API, composed as `regatta api` composes it, on the worker's data folder; `port` fixes
 * its port when something (a registry's notifications) must know it in advance.
 */
export function startRegattaApi(bed: TestBed, regatta: RegattaUnderTest, port?: number): Promise<StartedApi> {
  const environment =
    port === undefined ? regatta.environment : { ...regatta.environment, REGATTA_API_PORT: port };
  return startApi(environment, bed.temporal!.address, pino({ level: 'silent' }));
}
