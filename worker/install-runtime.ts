import { Runtime, type LogLevel, type LogMetadata, type Logger as TemporalLogger } from '@temporalio/worker';
import type { Logger } from 'pino';
import { EnvironmentError } from '../errors/regatta-error.js';
import { histogramBuckets } from '../contract/index.js';

const pinoLevel: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The SDK's logger interface on top of pino, so worker and core logs are JSON lines like ours. */
function forwardToPino(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) =>
    logger[pinoLevel[level]](meta ?? {}, message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

export interface RuntimeSettings {
  logger: Logger;
  /** Where Temporal's and Regatta's worker metrics are served for Prometheus (`host:port`); undefined turns them off. */
  metricsAddress?: string;
}

/**
 * Installs the process-wide Temporal runtime once, before any worker connects. Signals are left to
 * Regatta's own handler, which stops the worker, the API and the dev server in order.
 */
export function installRuntime({ logger, metricsAddress }: RuntimeSettings): void {
  const metrics = metricsAddress
    ? { prometheus: { bindAddress: metricsAddress, histogramBucketOverrides: histogramBuckets } }
    : undefined;
  try {
    Runtime.install({
      logger: forwardToPino(logger.child({ component: 'temporal-sdk' })),
      shutdownSignals: [],
      telemetryOptions: {
        logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} },
        ...(metrics ? { metrics } : {}),
      },
    });
  } catch (error) {
    if (!metrics || !/prometheus/i.test((error as Error).message)) throw error;
    // Most likely the port is taken, e.g. by another worker on this machine.
    throw new EnvironmentError(
      `REGATTA_WORKER_METRICS_ADDRESS=${metricsAddress}: ${(error as Error).message}; set another host:port, or off`,
      { cause: error },
    );
  }
  if (metricsAddress) logger.info(`worker metrics: http://${metricsAddress}/metrics`);
}
