import { pino } from 'pino';
import { request } from 'undici';
import { installRuntime } from '../../worker/install-runtime.js';
import { freePort } from './free-port.js';
import { parsePrometheusText, type Sample } from './prometheus-text.js';

let served: Promise<string> | undefined;

/**
 * Installs this process's Temporal runtime with the worker metrics endpoint on a free loopback
 * port, as `regatta worker` does, and returns the endpoint's URL. A process has one runtime, so
 * this must run before any worker of the test file starts; later calls return the same URL.
 */
export function serveWorkerMetrics(): Promise<string> {
  served ??= freePort().then((port) => {
    installRuntime({ logger: pino({ level: 'warn' }), metricsAddress: `127.0.0.1:${port}` });
    return `http://127.0.0.1:${port}/metrics`;
  });
  return served;
}

/** Scrapes a metrics endpoint; throws unless it answers 200. */
export async function scrape(url: string, authorization?: string): Promise<Sample[]> {
  const response = await request(url, authorization ? { headers: { authorization } } : {});
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}: ${text}`);
  return parsePrometheusText(text);
}
