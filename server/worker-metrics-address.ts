import type { Environment } from './environment.js';

/**
 * Where a worker serves its metrics unless REGATTA_WORKER_METRICS_ADDRESS says otherwise: `dev` on
 * this machine only, `worker` on every interface so Prometheus can reach it in its container.
 * Each worker container has its own network, so `--scale worker=N` does not clash.
 */
export const defaultWorkerMetricsAddress = {
  dev: '127.0.0.1:9464',
  worker: '0.0.0.0:9464',
} as const;

/** The `host:port` to serve worker metrics on for `command`, or undefined when they are `off`. */
export function workerMetricsAddress(
  command: keyof typeof defaultWorkerMetricsAddress,
  environment: Pick<Environment, 'REGATTA_WORKER_METRICS_ADDRESS'>,
): string | undefined {
  const address = environment.REGATTA_WORKER_METRICS_ADDRESS ?? defaultWorkerMetricsAddress[command];
  return address === 'off' ? undefined : address;
}

/** The URL to read a local worker's metrics from: a wildcard host is reached on loopback. */
export function workerMetricsUrl(address: string): string {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon);
  const reachable = host === '' || host === '0.0.0.0' ? '127.0.0.1' : host;
  return `http://${reachable}:${address.slice(colon + 1)}/metrics`;
}
