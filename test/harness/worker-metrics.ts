import { pino } from 'pino';
import { request } from 'undici';
import { installRuntime } from '../../worker/install-runtime.js';
import { eventually } from './eventually.js';
import { listeningPorts } from './listening-ports.js';
import { parsePrometheusText, type Sample } from './prometheus-text.js';

let served: Promise<string> | undefined;

/**
 * Installs this process's Temporal runtime with the worker metrics endpoint on a loopback port it
 * binds itself (`127.0.0.1:0`), as `regatta worker` does, and returns the endpoint's URL: the port
 * this process started listening on, read back from /proc. A process has one runtime, so this must
 * run before any worker of the test file starts; later calls return the same URL.
 */
export function serveWorkerMetrics(): Promise<string> {
  served ??= (async () => {
    const before = new Set(listeningPorts(process.pid));
    installRuntime({ logger: pino({ level: 'warn' }), metricsAddress: '127.0.0.1:0' });
    const port = await eventually(
      async () => listeningPorts(process.pid).find((candidate) => !before.has(candidate)),
      10_000,
      'the worker metrics endpoint to listen',
    );
    return `http://127.0.0.1:${port}/metrics`;
  })();
  return served;
}

/** Scrapes a metrics endpoint; throws unless it answers 200. */
export async function scrape(url: string, authorization?: string): Promise<Sample[]> {
  const response = await request(url, authorization ? { headers: { authorization } } : {});
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}: ${text}`);
  return parsePrometheusText(text);
}
