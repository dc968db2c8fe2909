import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { manualRunId } from '../../service/run-identity.js';
import { startReplicationRun } from '../../service/start-replication-run.js';
import { heartbeatedProgress } from '../harness/copy-progress.js';
import { eventually } from '../harness/eventually.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { pushImage } from '../harness/images.js';
import { rawGetBlob, rawGetManifest, sha256 } from '../harness/raw-client.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startRegistryServer, type RegistryServer } from '../harness/registry-server.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process.js';

const MiB = 1024 * 1024;

describe('replication run – worker crash', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  /** A fourth site on Distribution 3, which keeps an upload session a killed chunk cut short. */
  let resuming: RegistryServer;
  /** In front of it, counting what it is sent. */
  let resumingProxy: FaultProxy;
  const workers: WorkerProcess[] = [];
  let hq: number;
  const destinations: Array<{ id: number }> = [];

  before(async () => {
    bed = await startTestBed();
    resuming = await startRegistryServer({
      name: 'site-resuming',
      dir: join(bed.dir, 'site-resuming'),
      distribution: 3,
    });
    resumingProxy = await startFaultProxy(resuming);
    regatta = await startRegattaWorker(bed, { worker: false });
    hq = await regatta.addRegistry(bed.hq);
    for (const site of bed.sites) destinations.push({ id: await regatta.addRegistry(site) });
    destinations.push({ id: await regatta.addRegistry({ ...resuming, url: resumingProxy.url }) });
  });
  after(async () => {
    for (const worker of workers) await worker.kill('SIGKILL');
    await regatta?.stop();
    await resumingProxy?.stop();
    await resuming?.stop();
    await bed?.stop();
  });

  it('SIGKILL mid-blob – a new worker completes the run and every digest verifies; nothing half-written is served; the upload is resumed from the registry’s offset', async () => {
    const image = await pushImage({ registry: bed.hq }, 'production/big', 'v1', {
      layerSizes: [24 * MiB, 4096],
    });
    const policy = await regatta.createPolicy({
      name: 'crash-test',
      src_registry: { id: hq },
      dest_registries: destinations,
      filters: [{ type: 'name', value: 'production/big' }],
      speed: 4096, // slow enough that the kill lands in the middle of the large layer
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
    // Killed halfway through the large layer (its upload sessions are open at every site), once
    // Temporal holds a checkpoint of the resuming site's upload past its first chunk.
    const uploads = (request: { path: string }) => request.path.includes('/blobs/uploads/');
    const checkpoint = await eventually(
      async () => {
        const progress = await heartbeatedProgress(regatta.client.workflow.getHandle(handle.workflowId));
        const held = Object.entries(progress?.uploads ?? {}).find(
          ([key, state]) => key.startsWith(new URL(resumingProxy.url).host) && state.offset >= 8 * MiB,
        );
        const sent = resumingProxy.bytesUp(uploads);
        return held && sent >= 12 * MiB && sent < 20 * MiB ? held : undefined;
      },
      60_000,
      'a checkpoint of the resuming site’s upload',
      100,
    );
    await first.kill('SIGKILL');
    const sentBeforeKill = resumingProxy.bytesUp(uploads);

    for (const site of [...bed.sites, resuming]) {
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
    // The new worker's attempt went on from where the registry stood: the layer was sent once.
    const sent = resumingProxy.bytesUp(uploads);
    assert.ok(
      sent < 1.25 * 24 * MiB,
      `${sent} bytes sent to the resuming site (${sentBeforeKill} before the kill, checkpoint at ${checkpoint[1].offset})`,
    );
    for (const site of [...bed.sites, resuming]) {
      const manifest = await rawGetManifest({ registry: site }, 'production/big', 'v1');
      assert.equal(sha256(manifest.bytes), image.digest);
      for (const [digest, bytes] of image.blobs) {
        const blob = await rawGetBlob({ registry: site }, 'production/big', digest);
        assert.equal(sha256(blob.bytes), digest);
        assert.equal(blob.bytes.length, bytes.length);
      }
    }
  });
  it('SIGKILL mid-check – a one-page run killed while its listing checks a hung site is taken up within the listing’s 20 s heartbeat timeout, and completes', async () => {
    const image = await pushImage({ registry: bed.hq }, 'production/checked', 'v1', { layerSizes: [4096] });
    const policy = await regatta.createPolicy({
      name: 'crash-in-check',
      src_registry: { id: hq },
      dest_registries: destinations,
      filters: [{ type: 'name', value: 'production/checked' }],
    });
    // Only this test's workers poll.
    for (const worker of workers.splice(0)) await worker.kill('SIGKILL');
    // The resuming site answers nothing: the listing's check waits out its HEAD deadline there.
    resumingProxy.rules = [{ fault: { kind: 'hang' } }];
    const first = startWorkerProcess(regatta.environment);
    workers.push(first);
    await first.ready;
    const handle = await startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(policy, new Date(), 'kill-check'),
      policy,
      trigger: 'manual',
    });
    // Killed once the listing has beaten 3 s into its check: it beats while its requests wait.
    const millis = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
      Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;
    await eventually(
      async () => {
        const listing = ((await handle.describe()).raw.pendingActivities ?? []).find(
          (activity) => activity.activityType?.name === 'enumerateArtifacts',
        );
        const beatAfter = millis(listing?.lastHeartbeatTime) - millis(listing?.lastStartedTime);
        return listing?.lastStartedTime && beatAfter >= 3000 ? listing : undefined;
      },
      9_000,
      'a beat of the listing 3 s into its check',
      100,
    );
    await first.kill('SIGKILL');
    resumingProxy.rules = [];

    const second = startWorkerProcess(regatta.environment);
    workers.push(second);
    await second.ready;
    const summary = await handle.result();
    assert.equal(summary.status, 'Succeed', summary.statusText);
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.find(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'enumerateArtifacts',
    )!;
    assert.equal(Number(scheduled.activityTaskScheduledEventAttributes!.heartbeatTimeout?.seconds), 20);
    const started = events.find(
      (event) =>
        Number(event.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled.eventId),
    );
    assert.equal(started?.activityTaskStartedEventAttributes?.attempt, 2, 'the new worker listed again');
    for (const site of [...bed.sites, resuming]) {
      const manifest = await rawGetManifest({ registry: site }, 'production/checked', 'v1');
      assert.equal(sha256(manifest.bytes), image.digest, site.name);
    }
  });
});
