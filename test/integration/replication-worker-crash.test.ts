import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualRunId } from '../../service/run-identity.js';
import { startReplicationRun } from '../../service/start-replication-run.js';
import { midCopy } from '../harness/copy-progress.js';
import { pushImage } from '../harness/images.js';
import { rawGetBlob, rawGetManifest, sha256 } from '../harness/raw-client.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process.js';

describe('replication run – worker crash', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  const workers: WorkerProcess[] = [];

  before(async () => {
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed, { worker: false });
  });
  after(async () => {
    for (const worker of workers) await worker.kill('SIGKILL');
    await regatta?.stop();
    await bed?.stop();
  });

  it('SIGKILL mid-blob – a new worker completes the run and every digest verifies; nothing half-written is served', async () => {
    const hq = await regatta.addRegistry(bed.hq);
    const destinations = [];
    for (const site of bed.sites) destinations.push({ id: await regatta.addRegistry(site) });
    const image = await pushImage({ registry: bed.hq }, 'production/big', 'v1', {
      layerSizes: [24 * 1024 * 1024, 4096],
    });
    const policy = await regatta.createPolicy({
      name: 'crash-test',
      src_registry: { id: hq },
      dest_registries: destinations,
      filters: [{ type: 'name', value: 'production/big' }],
      speed: 8192, // slow enough that the kill lands in the middle of the large layer
    });

    const first = startWorkerProcess(regatta.environment);
    workers.push(first);
    await first.ready;
    const handle = await startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(policy, new Date(), 'kill'),
      policy,
      trigger: 'manual',
    });
    // Killed once the large layer is partly sent: its upload sessions are open at every site.
    await midCopy(regatta.client.workflow.getHandle(handle.workflowId));
    await first.kill('SIGKILL');

    for (const site of bed.sites) {
      assert.equal(
        (await rawGetManifest({ registry: site }, 'production/big', 'v1')).status,
        404,
        `${site.name} serves nothing yet`,
      );
    }

    const second = startWorkerProcess(regatta.environment);
    workers.push(second);
    await second.ready;
    const summary = await handle.result();
    assert.equal(summary.status, 'Succeed', summary.statusText);
    for (const site of bed.sites) {
      const manifest = await rawGetManifest({ registry: site }, 'production/big', 'v1');
      assert.equal(sha256(manifest.bytes), image.digest);
      for (const [digest, bytes] of image.blobs) {
        const blob = await rawGetBlob({ registry: site }, 'production/big', digest);
        assert.equal(sha256(blob.bytes), digest);
        assert.equal(blob.bytes.length, bytes.length);
      }
    }
  });
});
