import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { request } from 'undici';

/** A worker in the same process answers on loopback at once, or not at all. */
const workerTimeoutMs = 2_000;

async function readWorkerMetrics(url: string): Promise<string> {
  const response = await request(url, { headersTimeout: workerTimeoutMs, bodyTimeout: workerTimeoutMs });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`${url} answered ${response.statusCode}`);
  }
  return response.body.text();
}

/**
 * `GET /metrics`: the API's metrics in Prometheus text format; with `workerMetricsUrl` (the worker
 * of `regatta dev`, same process) the worker's are appended, so one scrape sees everything. When
 * the worker does not answer, the API's metrics are served alone.
 */
export function metricsRoute(registry: Registry, workerMetricsUrl?: string): RequestHandler {
  return async (req, res) => {
    const own = await registry.metrics();
    let worker = '';
    if (workerMetricsUrl) {
      worker = await readWorkerMetrics(workerMetricsUrl).catch((error: unknown) => {
        req.log.warn({ err: error }, 'worker metrics not read; serving the API metrics alone');
        return '';
      });
    }
    res.setHeader('Content-Type', registry.contentType);
    res.send(worker ? `${own.trimEnd()}\n${worker}` : own);
  };
}
