// The Temporal dev server (file-backed) killed mid-run and started again: the run completes, and
// what was already in place at the site is not sent again. Real Temporal, registries and worker.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { pageTasksQuery } from '../../contract/index.js';
import { connectToTemporal } from '../../temporal/connect.js';
import { manualRunId } from '../../service/run-identity.js';
import { startReplicationRun } from '../../service/start-replication-run.js';
import { eventually } from '../harness/eventually.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { pushImage } from '../harness/images.js';
import { rawGetManifest, sha256 } from '../harness/raw-client.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { runOutcome } from '../harness/run-outcome.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { within } from '../harness/within.js';

const MiB = 1024 * 1024;

describe('Temporal crash – the dev server killed mid-run', () => {
  let bed: TestBed;
  let siteProxy: FaultProxy;
  let regatta: RegattaUnderTest;
  const ids: Record<string, number> = {};

  before(async () => {
    bed = await startTestBed({ persistentTemporal: true });
    siteProxy = await startFaultProxy(bed.sites[0]);
    regatta = await startRegattaWorker(bed);
    ids.hq = await regatta.addRegistry(bed.hq);
    ids.site = await regatta.addRegistry({ ...bed.sites[0], url: siteProxy.url });
  });
  after(async () => {
    await regatta?.stop();
    await siteProxy?.stop();
    await bed?.stop();
  });

  it('killed and started again: the run completes and no layer in place is sent twice', async () => {
    // Three tags: the first is at the site before the run, the others are copied under a speed cap.
    const tags = ['v1', 'v2', 'v3'];
    const images = [];
    for (const tag of tags)
      images.push(await pushImage({ registry: bed.hq }, 'production/crash', tag, { layerSizes: [2 * MiB] }));
    const policy = await regatta.createPolicy({
      name: `crash-${randomUUID().slice(0, 6)}`,
      src_registry: { id: ids.hq },
      dest_registry: { id: ids.site },
      filters: [
        { type: 'name', value: 'production/crash' },
        { type: 'tag', value: 'v1' },
      ],
    });
    const first = await startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(policy, new Date(), 'seed'),
      policy,
      trigger: 'manual',
    });
    assert.equal((await runOutcome(first)).status, 'Succeed');
    const seeded = siteProxy.bytesUp();
    const seedRequests = siteProxy.requests.length;

    const all = await regatta.createPolicy({
      name: `crash-${randomUUID().slice(0, 6)}`,
      src_registry: { id: ids.hq },
      dest_registry: { id: ids.site },
      filters: [{ type: 'name', value: 'production/crash' }],
      speed: 512, // KiB/s: the two new layers take seconds, long enough to kill Temporal meanwhile
    });
    const handle = await startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(all, new Date(), 'crash'),
      policy: all,
      trigger: 'manual',
    });
    await eventually(
      async () => siteProxy.bytesUp() - seeded > 256 * 1024,
      30_000,
      'the copy to be under way',
    );
    await bed.temporal!.kill();
    // Its file is in WAL mode (as `regatta dev` keeps it): what was committed since the last
    // checkpoint is in the -wal file the killed server left, and the restart reads it back.
    assert.ok(existsSync(`${bed.temporal!.dbFile}-wal`), 'Temporal keeps its SQLite file in WAL mode');
    await assert.rejects(
      connectToTemporal({ address: bed.temporal!.address, timeoutMs: 1_000 }),
      'Temporal is down',
    );
    await bed.temporal!.start();

    const summary = await within(runOutcome(handle), 180_000, 'the run to end after the restart');
    assert.equal(summary.status, 'Succeed', summary.statusText);
    const { tasks } = await handle.query(pageTasksQuery);
    assert.deepEqual(
      tasks.map((task) => [task.srcResource, task.outcome]),
      [
        ['production/crash:v1', 'skipped'],
        ['production/crash:v2', 'copied'],
        ['production/crash:v3', 'copied'],
      ],
    );
    for (const [index, tag] of tags.entries()) {
      const manifest = await rawGetManifest({ registry: bed.sites[0] }, 'production/crash', tag);
      assert.equal(sha256(manifest.bytes), images[index]!.digest, `the site has ${tag}`);
    }
    // v1's layer, in place before, never went again; the two new layers went at most twice each
    // (an upload cut by the crash is sent again from its start).
    const sent = siteProxy.bytesUp() - seeded;
    assert.ok(sent <= 4 * 2 * MiB + MiB, `sent ${sent} bytes for two 2 MiB layers`);
    const v1Layer = [...images[0]!.blobs.entries()].sort((a, b) => b[1].length - a[1].length)[0]![0];
    assert.ok(
      !siteProxy.requests
        .slice(seedRequests)
        .some((request) => request.path.includes(v1Layer) && request.method !== 'HEAD'),
      'the layer in place was not uploaded again',
    );
  });
});
