// The store (PostgreSQL) stopped for 60 s while a run copies: the run waits and completes once it
// is back. Real PostgreSQL, Temporal, registries and worker.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { pageTasksQuery, runStatusQuery } from '../../contract/index.js';
import { manualRunId } from '../../service/run-identity.js';
import { startReplicationRun } from '../../service/start-replication-run.js';
import { eventually } from '../harness/eventually.js';
import { pushImage } from '../harness/images.js';
import { startTestPostgres, type TestPostgres } from '../harness/postgres-server.js';
import { rawGetManifest, sha256 } from '../harness/raw-client.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { runOutcome } from '../harness/run-outcome.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

describe('store outage – PostgreSQL stopped mid-run', () => {
  let bed: TestBed;
  let postgres: TestPostgres;
  let regatta: RegattaUnderTest;
  const ids: Record<string, number> = {};

  before(async () => {
    [bed, postgres] = await Promise.all([startTestBed(), startTestPostgres()]);
    regatta = await startRegattaWorker(bed, { environment: { DATABASE_URL: postgres.url } });
    ids.hq = await regatta.addRegistry(bed.hq);
    for (const site of bed.sites) ids[site.name] = await regatta.addRegistry(site);
  });
  after(async () => {
    await regatta?.stop();
    await postgres?.stop();
    await bed?.stop();
  });

  it('60 s without the store: the run waits, then completes with every site served', async () => {
    const images = await Promise.all(
      ['v1', 'v2', 'v3'].map((tag) =>
        pushImage({ registry: bed.hq }, 'production/outage', tag, { layerSizes: [1024 * 1024] }),
      ),
    );
    const policy = await regatta.createPolicy({
      name: 'store-outage',
      src_registry: { id: ids.hq },
      dest_registries: bed.sites.map((site) => ({ id: ids[site.name] })),
      filters: [{ type: 'name', value: 'production/outage' }],
      speed: 256, // KiB/s for the run: the copies are still going when the store stops
    });
    const handle = await startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(policy, new Date(), 'store'),
      policy,
      trigger: 'manual',
    });
    await eventually(
      async () => (await handle.query(pageTasksQuery)).tasks.some((task) => task.status === 'InProgress'),
      30_000,
      'the copy to start',
    );
    await postgres.halt();
    const downAt = Date.now();
    await sleep(60_000);
    const during = await handle.query(runStatusQuery);
    assert.equal(during.summary.status, 'InProgress', 'the run waits for the store');
    await postgres.restart();

    let timer: NodeJS.Timeout | undefined;
    const summary = await Promise.race([
      runOutcome(handle),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the run did not end within 240 s of the store')), 240_000);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.equal(summary.counts.succeed, 9);
    assert.ok(Date.now() - downAt >= 60_000);
    for (const site of bed.sites)
      for (const [index, image] of images.entries()) {
        const manifest = await rawGetManifest({ registry: site }, 'production/outage', `v${index + 1}`);
        assert.equal(sha256(manifest.bytes), image.digest, `${site.name} has v${index + 1}`);
      }
    // What the run kept is in the store once it is back.
    const record = await regatta.store.executions.getByWorkflowId(handle.workflowId);
    assert.equal(record?.result?.summary.status, 'Succeed');
  });
});
