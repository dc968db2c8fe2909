// Push at HQ → pullable at three sites: Regatta's event-based policy (registry notification →
// webhook → Temporal run) beside the best a hook script can do with skopeo (three `skopeo copy`
// started the moment the push returns). Median of N small pushes. Prints and writes
// docs/benchmarks.md; asserts nothing.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { request } from 'undici';
import { loadEnvironment } from '../server/environment.js';
import { startApi } from '../server/start-api.js';
import { freePort } from '../test/harness/free-port.js';
import { pushImage } from '../test/harness/images.js';
import { startRegistryServer, type RegistryServer } from '../test/harness/registry-server.js';
import { startTestTemporal } from '../test/harness/temporal-server.js';
import { startWorker } from '../server/start-worker.js';
import { writeDocSection } from './doc-section.js';
import { median } from './median.js';
import { scratchFolder } from './scratch-folder.js';

const run = promisify(execFile);
const pushes = Number(process.env.BENCH_PUSHES ?? 20);
const secret = 'bench-webhook-secret-0123456789';
const admin = `Basic ${Buffer.from('admin:bench-admin-password').toString('base64')}`;

async function pullableEverywhere(
  sites: RegistryServer[],
  repository: string,
  deadlineMs: number,
): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < deadlineMs) {
    const statuses = await Promise.all(
      sites.map(async (site) => {
        const response = await request(`${site.url}/v2/${repository}/manifests/v1`, {
          method: 'HEAD',
          headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
        });
        await response.body.dump();
        return response.statusCode;
      }),
    );
    if (statuses.every((status) => status === 200)) return performance.now();
    await sleep(10);
  }
  throw new Error(`${repository} not pullable at every site within ${deadlineMs} ms`);
}

async function api(port: number, path: string, body: object): Promise<number> {
  const response = await request(`http://127.0.0.1:${port}/api/v2.0${path}`, {
    method: 'POST',
    headers: { authorization: admin, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.body.dump();
  if (response.statusCode !== 201) throw new Error(`POST ${path}: ${response.statusCode}`);
  return Number(String(response.headers.location).split('/').pop());
}

async function main() {
  const { dir, folder } = scratchFolder('regatta-bench-events-');
  const apiPort = await freePort();
  const temporal = await startTestTemporal();
  const hq = await startRegistryServer({
    name: 'hq',
    dir: folder('hq'),
    notifications: [
      {
        name: 'regatta',
        url: `http://127.0.0.1:${apiPort}/webhooks/registries/1`,
        headers: { Authorization: [`Bearer ${secret}`] },
        ignoredmediatypes: ['application/octet-stream'],
      },
    ],
  });
  const sites = await Promise.all(
    ['dc-a', 'dc-b', 'dc-c'].map((name) => startRegistryServer({ name, dir: folder(name) })),
  );
  const peers = await Promise.all(
    ['peer-a', 'peer-b', 'peer-c'].map((name) => startRegistryServer({ name, dir: folder(name) })),
  );
  const environment = loadEnvironment({
    TEMPORAL_ADDRESS: temporal.address,
    REGATTA_DATA_DIR: folder('data'),
    REGATTA_SECRET_KEY: 'bench passphrase',
    REGATTA_ADMIN_PASSWORD: 'bench-admin-password',
    REGATTA_API_PORT: String(apiPort),
    REGATTA_API_HOST: '127.0.0.1',
  });
  const logger = pino({ level: 'warn' });
  const worker = await startWorker(environment, temporal.address, logger);
  const regatta = await startApi(environment, temporal.address, logger);
  try {
    const hqId = await api(apiPort, '/registries', { name: 'hq', url: hq.url, webhook_secret: secret });
    const siteIds = [];
    for (const site of sites)
      siteIds.push(await api(apiPort, '/registries', { name: site.name, url: site.url }));
    await api(apiPort, '/replication/policies', {
      name: 'hq-to-sites',
      src_registry: { id: hqId },
      dest_registries: siteIds.map((id) => ({ id })),
      trigger: { type: 'event_based' },
      filters: [{ type: 'name', value: 'production/**' }],
    });

    const regattaMs: number[] = [];
    const skopeoMs: number[] = [];
    for (let index = 0; index < pushes + 1; index++) {
      const repository = `production/latency-${index}`;
      await pushImage({ registry: hq }, repository, 'v1', { layerSizes: [64 * 1024, 4 * 1024] });
      const pushed = performance.now();
      const done = await pullableEverywhere(sites, repository, 30_000);
      // The first push warms the worker's caches and connections; it is not counted.
      if (index > 0) regattaMs.push(done - pushed);

      const peerStart = performance.now();
      for (const peer of peers) {
        await run('skopeo', [
          'copy',
          '--src-tls-verify=false',
          '--dest-tls-verify=false',
          `docker://${hq.host}/${repository}:v1`,
          `docker://${peer.host}/${repository}:v1`,
        ]);
      }
      if (index > 0) skopeoMs.push(performance.now() - peerStart);
    }
    const regattaMedian = median(regattaMs);
    const skopeoMedian = median(skopeoMs);
    const lines = [
      '## Event latency: push at HQ → pullable at three sites',
      '',
      `Written by \`npm run bench:events\` (bench/event-latency.ts). ${pushes} pushes of a small image (64 KiB + 4 KiB layers), one at a time, loopback.`,
      'Regatta: an event-based policy; the HQ registry’s own notifications reach the webhook, a Temporal run copies to the three sites.',
      'Peer: what a push hook can do at best with skopeo: `skopeo copy` to the three sites, started the moment the push returns.',
      '',
      '| tool | median (ms) | min (ms) | max (ms) |',
      '|---|---:|---:|---:|',
      `| regatta (webhook → Temporal run) | ${regattaMedian.toFixed(0)} | ${Math.min(...regattaMs).toFixed(0)} | ${Math.max(...regattaMs).toFixed(0)} |`,
      `| skopeo copy × 3 sites (hook script) | ${skopeoMedian.toFixed(0)} | ${Math.min(...skopeoMs).toFixed(0)} | ${Math.max(...skopeoMs).toFixed(0)} |`,
      '',
      `Ratio: skopeo hook / Regatta = ${(skopeoMedian / regattaMedian).toFixed(2)}×. Budget: a median under 3 s.`,
    ];
    writeDocSection('event-latency', lines.join('\n'));
    console.log(lines.join('\n'));
  } finally {
    await regatta.stop();
    await worker.stop();
    for (const registry of [hq, ...sites, ...peers]) await registry.stop();
    await temporal.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
