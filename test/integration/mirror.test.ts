import { WorkflowFailedError } from '@temporalio/client';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { manualRunId } from '../../service/run-identity.js';
import { startReplicationRun } from '../../service/start-replication-run.js';
import type { PolicySnapshot } from '../../policies/index.js';
import { eventually } from '../harness/eventually.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawDeleteManifest, rawListTags } from '../harness/raw-client.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { runOutcome } from '../harness/run-outcome.js';

describe('mirror mode', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let policy: PolicySnapshot;
  const images = new Map<string, PushedImage>();
  let runs = 0;

  const deleteAtHq = (tag: string) =>
    rawDeleteManifest({ registry: bed.hq }, 'production/app', images.get(tag)!.digest);

  const startMirrorRun = () =>
    startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(policy, new Date(), `m${++runs}`),
      policy,
      trigger: 'manual',
    });
  const mirrorRun = async () => runOutcome(await startMirrorRun());

  /** The DR sites' tags: a Distribution 2.8 and a 3.x site, mirrored alike. */
  const drTags = async (repository = 'production/app') => {
    const [dr2, dr3] = await Promise.all(
      [bed.sites[0], bed.sites[1]].map(async (registry) =>
        (await rawListTags({ registry }, repository)).sort(),
      ),
    );
    assert.deepEqual(dr3, dr2, `${repository} alike at Distribution 2.8 and 3.x`);
    return dr2!;
  };

  before(async () => {
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed);
    const hq = await regatta.addRegistry(bed.hq);
    const dr = await regatta.addRegistry(bed.sites[0]);
    const dr3 = await regatta.addRegistry(bed.sites[1]);
    for (const tag of ['a', 'b', 'c', 'd', 'e', 'x.sig']) {
      images.set(tag, await pushImage({ registry: bed.hq }, 'production/app', tag, { layerSizes: [512] }));
    }
    await pushImage({ registry: bed.hq }, 'staging/other', 'v1', { layerSizes: [256] });
    for (const registry of [bed.sites[0], bed.sites[1]])
      await pushImage({ registry }, 'staging/keep', 'v1', { layerSizes: [256] });
    policy = await regatta.createPolicy({
      name: 'dr-mirror',
      src_registry: { id: hq },
      dest_registries: [{ id: dr }, { id: dr3 }],
      filters: [{ type: 'name', value: 'production/**' }],
      mirror: { prune: true, max_delete_ratio: 0.5, protect: ['*.sig'] },
    });
  });
  after(async () => {
    await regatta?.stop();
    await bed?.stop();
  });

  it('sync – copies everything in scope, deletes nothing on the first run', async () => {
    const summary = await mirrorRun();
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.deepEqual(await drTags(), ['a', 'b', 'c', 'd', 'e', 'x.sig']);
    assert.deepEqual(await drTags('staging/other'), []);
  });

  it('prune – a tag deleted at HQ disappears from DR; protected and out-of-scope tags stay', async () => {
    await deleteAtHq('a');
    await deleteAtHq('x.sig');
    const summary = await mirrorRun();
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.deepEqual(await drTags(), ['b', 'c', 'd', 'e', 'x.sig']);
    assert.deepEqual(await drTags('staging/keep'), ['v1']);
  });

  it('ratio guard – a prune over max_delete_ratio deletes nothing and fails the run saying why', async () => {
    await deleteAtHq('b');
    await deleteAtHq('c');
    await deleteAtHq('d');
    const summary = await mirrorRun();
    assert.equal(summary.status, 'Failed');
    assert.match(
      summary.statusText,
      /prune refused: .*would delete 3 of 5 tags in scope \(60%\), more than max_delete_ratio 0.5/,
    );
    assert.deepEqual(await drTags(), ['b', 'c', 'd', 'e', 'x.sig']);
  });

  it('unreachable source – while HQ is down the run retries listing it and deletes nothing', async () => {
    const tagsAtDr = await drTags();
    await bed.hq.stop();
    try {
      const handle = await startMirrorRun();
      // Listing HQ fails with REGISTRY_NETWORK, which is retryable: Temporal retries the listing
      // (10 attempts, backoff up to 30 s) and the prune, which comes after it, never starts.
      const listing = await eventually(
        async () => {
          const pending = (await handle.describe()).raw.pendingActivities ?? [];
          const activity = pending.find((item) => item.activityType?.name === 'enumerateArtifacts');
          return (activity?.attempt ?? 0) >= 3 ? activity : undefined;
        },
        30_000,
        'listing HQ to have failed twice',
      );
      assert.match(String(listing.lastFailure?.message), /network error .*ECONNREFUSED/);
      assert.equal((await handle.describe()).status.name, 'RUNNING');
      assert.deepEqual(await drTags(), tagsAtDr);
      assert.deepEqual(await drTags('staging/keep'), ['v1']);
      // Left alone, the run ends when the 10th attempt fails, about 2.5 minutes in (164 s measured),
      // nothing deleted: the API shows it Failed, status_text "run failed". The test stops it: Stopped.
      await handle.cancel();
      await assert.rejects(handle.result(), WorkflowFailedError);
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      assert.deepEqual(await drTags(), tagsAtDr);
    } finally {
      await bed.hq.start();
    }
  });

  it('wiped source – an HQ with an empty catalog never empties DR', async () => {
    await bed.hq.restart({ wipe: true });
    const summary = await mirrorRun();
    assert.equal(summary.status, 'Failed');
    assert.match(summary.statusText, /the source lists no tag in scope/);
    assert.deepEqual(await drTags(), ['b', 'c', 'd', 'e', 'x.sig']);
    assert.deepEqual(await drTags('staging/keep'), ['v1']);
  });
});
