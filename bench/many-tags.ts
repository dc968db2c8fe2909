// A run over many tags: how long a no-op (warm) run takes and how large the run's histories get,
// beside `skopeo sync` on the same tags. Prints and writes docs/benchmarks.md; asserts nothing.
import { Client, Connection } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { loadEnvironment } from '../server/environment.js';
import { policyDefinitionFromInput, ReplicationPolicyInput } from '../policies/index.js';
import { openStore } from '../store/index.js';
import { storedPolicySnapshot } from '../service/policy-snapshot.js';
import { manualRunId } from '../service/run-identity.js';
import { startReplicationRun } from '../service/start-replication-run.js';
import { pushImage } from '../test/harness/images.js';
import { rawPushManifest } from '../test/harness/raw-client.js';
import { startRegistryServer } from '../test/harness/registry-server.js';
import { startTestTemporal } from '../test/harness/temporal-server.js';
import { startWorker } from '../server/start-worker.js';
import { writeDocSection } from './doc-section.js';
import { scratchFolder } from './scratch-folder.js';

const run = promisify(execFile);
const tagCount = Number(process.env.BENCH_TAGS ?? 2000);
const repositoryCount = 10;

async function main() {
  const { dir, folder } = scratchFolder('regatta-bench-tags-');
  const temporal = await startTestTemporal();
  const hq = await startRegistryServer({ name: 'hq', dir: folder('hq') });
  const site = await startRegistryServer({ name: 'dr', dir: folder('dr') });
  const peer = await startRegistryServer({ name: 'peer', dir: folder('peer') });
  const environment = loadEnvironment({
    TEMPORAL_ADDRESS: temporal.address,
    REGATTA_DATA_DIR: folder('data'),
    REGATTA_SECRET_KEY: 'bench passphrase',
  });
  const logger = pino({ level: 'warn' });
  const store = await openStore({
    dataDir: environment.REGATTA_DATA_DIR,
    secretKey: environment.REGATTA_SECRET_KEY,
    logger,
  });
  const worker = await startWorker(environment, temporal.address, logger);
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  try {
    // One small image per repository, tagged many times: the run has tagCount artifacts.
    const repositories: string[] = [];
    for (let index = 0; index < repositoryCount; index++) {
      const repository = `production/many-${index}`;
      repositories.push(repository);
      const image = await pushImage({ registry: hq }, repository, 't0', { layerSizes: [256] });
      for (let tag = 1; tag < tagCount / repositoryCount; tag++) {
        await rawPushManifest({ registry: hq }, repository, `t${tag}`, image.mediaType, image.manifest);
      }
    }
    const hqId = (await store.registries.create({ name: 'hq', url: hq.url })).id;
    const drId = (await store.registries.create({ name: 'dr', url: site.url })).id;
    const policy = await store.policies.create(
      policyDefinitionFromInput(
        ReplicationPolicyInput.parse({
          name: 'many-tags',
          src_registry: { id: hqId },
          dest_registry: { id: drId },
        }),
      ),
    );
    const snapshot = await storedPolicySnapshot(store, policy);
    const timedRun = async (label: string) => {
      const started = performance.now();
      const handle = await startReplicationRun({
        client,
        workflowId: manualRunId(snapshot, new Date(), label),
        policy: snapshot,
        trigger: 'manual',
      });
      const summary = await handle.result();
      const seconds = (performance.now() - started) / 1000;
      const parent = (await handle.fetchHistory()).events?.length ?? 0;
      const page =
        (await client.workflow.getHandle(`${handle.workflowId}/page-1`).fetchHistory()).events?.length ?? 0;
      return { seconds, summary, parent, page };
    };
    const cold = await timedRun('cold');
    const warm = await timedRun('warm');

    const yamlFile = join(dir, 'sync.yaml');
    writeFileSync(
      yamlFile,
      `${hq.host}:\n  tls-verify: false\n  images:\n${repositories.map((r) => `    ${r}: []\n`).join('')}`,
    );
    const sync = async () => {
      const started = performance.now();
      await run(
        'skopeo',
        ['sync', '--src', 'yaml', '--dest', 'docker', '--dest-tls-verify=false', yamlFile, peer.host],
        {
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      return (performance.now() - started) / 1000;
    };
    const skopeoCold = await sync();
    const skopeoWarm = await sync();

    const lines = [
      `## A run over ${tagCount} tags`,
      '',
      `Written by \`npm run bench:tags\` (bench/many-tags.ts; BENCH_TAGS sets the count). ${repositoryCount} repositories × ${tagCount / repositoryCount} tags of one small image, HQ → one site, loopback, one worker (4 artifacts at a time per page).`,
      '',
      '| tool | cold (s) | warm no-op (s) |',
      '|---|---:|---:|',
      `| regatta run | ${cold.seconds.toFixed(1)} | ${warm.seconds.toFixed(1)} |`,
      `| skopeo sync (yaml, all tags) | ${skopeoCold.toFixed(1)} | ${skopeoWarm.toFixed(1)} |`,
      '',
      `Cold run: ${cold.summary.statusText}. Warm: Regatta / skopeo = ${(warm.seconds / skopeoWarm).toFixed(2)}×; ${warm.summary.statusText}, ${warm.summary.bytes} bytes sent.`,
      `History (warm run): parent ${warm.parent} events for ${Math.ceil(tagCount / 500)} pages; one page (500 artifacts) ${warm.page} events. Temporal's limit is 51,200 events per history.`,
    ];
    writeDocSection('many-tags', lines.join('\n'));
    console.log(lines.join('\n'));
  } finally {
    await worker.stop();
    await connection.close();
    await store.close();
    for (const registry of [hq, site, peer]) await registry.stop();
    await temporal.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
