// A burst of registry notifications: 500 deliveries, each one distinct push event (50 repositories
// × 10 tags at HQ), posted 25 at a time to the whole system as a user runs it (API, worker,
// Temporal dev server, Distribution registries on loopback). Measures how fast deliveries are
// accepted (every run durably started) and how fast the runs then land at the site. Prints and
// writes docs/benchmarks.md; asserts nothing. BENCH_LABEL names the build measured.
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { request } from 'undici';
import { loadEnvironment } from '../server/environment.js';
import { startApi } from '../server/start-api.js';
import { startWorker } from '../server/start-worker.js';
import { freePort } from '../test/harness/free-port.js';
import { pushImage } from '../test/harness/images.js';
import { rawPushManifest } from '../test/harness/raw-client.js';
import { startRegistryServer } from '../test/harness/registry-server.js';
import { startTestTemporal } from '../test/harness/temporal-server.js';
import { writeDocSection } from './doc-section.js';
import { scratchFolder } from './scratch-folder.js';

const repositories = 50;
const tagsEach = 10;
const inFlight = 25;
const secret = 'bench-webhook-secret-0123456789';
const admin = `Basic ${Buffer.from('admin:bench-admin-password').toString('base64')}`;

async function post(url: string, body: object, headers: Record<string, string>): Promise<number> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const location = response.headers.location;
  await response.body.dump();
  if (response.statusCode >= 300) throw new Error(`POST ${url}: ${response.statusCode}`);
  return Number(
    String(location ?? '')
      .split('/')
      .pop(),
  );
}

async function main() {
  const { dir, folder } = scratchFolder('regatta-bench-burst-');
  const apiPort = await freePort();
  const temporal = await startTestTemporal();
  const [hq, site] = await Promise.all([
    startRegistryServer({ name: 'hq', dir: folder('hq') }),
    startRegistryServer({ name: 'dc-a', dir: folder('dc-a') }),
  ]);
  const environment = loadEnvironment({
    TEMPORAL_ADDRESS: temporal.address,
    REGATTA_DATA_DIR: folder('data'),
    REGATTA_SECRET_KEY: 'bench passphrase long enough',
    REGATTA_ADMIN_PASSWORD: 'bench-admin-password',
    REGATTA_API_PORT: String(apiPort),
    REGATTA_API_HOST: '127.0.0.1',
  });
  const logger = pino({ level: 'warn' });
  const worker = await startWorker(environment, temporal.address, logger);
  const regatta = await startApi(environment, temporal.address, logger);
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  try {
    const api = (path: string, body: object) =>
      post(`http://127.0.0.1:${apiPort}/api/v2.0${path}`, body, { authorization: admin });
    const hqId = await api('/registries', { name: 'hq', url: hq.url, webhook_secret: secret });
    const siteId = await api('/registries', { name: 'dc-a', url: site.url });
    await api('/replication/policies', {
      name: 'burst',
      src_registry: { id: hqId },
      dest_registry: { id: siteId },
      trigger: { type: 'event_based' },
      filters: [{ type: 'name', value: 'production/**' }],
    });

    // 500 distinct artifacts at HQ: 50 small images, each under 10 tags.
    const events = [];
    for (let index = 0; index < repositories; index++) {
      const repository = `production/burst-${index}`;
      const image = await pushImage({ registry: hq }, repository, undefined, { layerSizes: [1024] });
      for (let tag = 0; tag < tagsEach; tag++) {
        await rawPushManifest({ registry: hq }, repository, `v${tag}`, image.mediaType, image.manifest);
        events.push({
          id: `burst-${index}-${tag}`,
          timestamp: new Date().toISOString(),
          action: 'push',
          target: { mediaType: image.mediaType, repository, tag: `v${tag}`, digest: image.digest },
        });
      }
    }

    const webhook = `http://127.0.0.1:${apiPort}/webhooks/registries/${hqId}`;
    const started = performance.now();
    for (let from = 0; from < events.length; from += inFlight) {
      await Promise.all(
        events
          .slice(from, from + inFlight)
          .map((event) => post(webhook, { events: [event] }, { authorization: `Bearer ${secret}` })),
      );
    }
    const accepted = performance.now() - started;

    // Until every run has closed (bounded): what the burst takes end to end.
    const deadline = Date.now() + 15 * 60_000;
    let closed = 0;
    while (Date.now() < deadline) {
      closed = 0;
      for await (const _ of client.workflow.list({
        query: `WorkflowType = 'replicationRun' AND ExecutionStatus != 'Running'`,
      }))
        closed++;
      if (closed >= events.length) break;
      await sleep(500);
    }
    const landed = performance.now() - started;

    const label = process.env.BENCH_LABEL ?? 'this build';
    const lines = [
      '## Webhook burst: 500 distinct push notifications',
      '',
      `Written by \`npm run bench:burst\` (bench/webhook-burst.ts) for ${label}. 500 deliveries, each one push event of another tag (50 repositories × 10 tags of a small image), posted ${inFlight} at a time to the API; one event-based policy HQ → one site; API, worker and Temporal dev server on one 2-core machine, loopback.`,
      '',
      '| phase | seconds | per second |',
      '|---|---:|---:|',
      `| deliveries accepted (every run durably started) | ${(accepted / 1000).toFixed(1)} | ${((events.length * 1000) / accepted).toFixed(0)} |`,
      `| runs closed (${closed}/${events.length}) | ${(landed / 1000).toFixed(1)} | ${((closed * 1000) / landed).toFixed(1)} |`,
    ];
    writeDocSection('webhook-burst', lines.join('\n'));
    console.log(lines.join('\n'));
  } finally {
    await connection.close();
    await regatta.stop();
    await worker.stop();
    for (const registry of [hq, site]) await registry.stop();
    await temporal.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
