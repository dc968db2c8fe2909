import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { manualRunId } from '../../service/run-identity.js';
import { startReplicationRun } from '../../service/start-replication-run.js';
import type { PolicySnapshot } from '../../policies/index.js';
import { eventually } from '../harness/eventually.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawDeleteManifest, rawListTags, rawPushBlob, rawPushManifest } from '../harness/raw-client.js';
import type { RegistryServer } from '../harness/registry-server.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { runOutcome } from '../harness/run-outcome.js';

// Each case mirrors a namespace of its own (`<case>/...`), so no case depends on another's state.
describe('mirror mode', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  const ids: Record<string, number> = {};

  before(async () => {
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed);
    ids.hq = await regatta.addRegistry(bed.hq);
    for (const site of bed.sites) ids[site.name] = await regatta.addRegistry(site);
  });
  after(async () => {
    await regatta?.stop();
    await bed?.stop();
  });

  /** A mirror of `<prefix>/**` from HQ to `sites`, with HQ holding `tags` of `<prefix>/app`. */
  async function mirrorCase(
    prefix: string,
    tags: string[],
    mirror: { max_delete_ratio?: number; protect?: string[] },
    sites: RegistryServer[] = [bed.sites[0]],
  ) {
    const images = new Map<string, PushedImage>();
    for (const tag of tags)
      images.set(tag, await pushImage({ registry: bed.hq }, `${prefix}/app`, tag, { layerSizes: [512] }));
    const policy: PolicySnapshot = await regatta.createPolicy({
      name: `${prefix}-${randomUUID().slice(0, 6)}`,
      src_registry: { id: ids.hq },
      dest_registries: sites.map((site) => ({ id: ids[site.name] })),
      filters: [{ type: 'name', value: `${prefix}/**` }],
      mirror: { prune: true, ...mirror },
    });
    const start = () =>
      startReplicationRun({
        client: regatta.client,
        workflowId: manualRunId(policy, new Date(), randomUUID().slice(0, 6)),
        policy,
        trigger: 'manual',
      });
    return {
      images,
      start,
      run: async () => runOutcome(await start()),
      /** Deletes the tag's manifest at HQ, as a user removing the image would. */
      deleteAtHq: (tag: string) =>
        rawDeleteManifest({ registry: bed.hq }, `${prefix}/app`, images.get(tag)!.digest),
    };
  }
  /** Waits (bounded) until the run's `activity` is on its `attempt`th try; returns it, its last failure with it. */
  const retrying = (handle: WorkflowHandle, activity: string, attempt: number) =>
    eventually(
      async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        const found = pending.find((item) => item.activityType?.name === activity);
        return (found?.attempt ?? 0) >= attempt ? found : undefined;
      },
      30_000,
      `${activity} to be on attempt ${attempt}`,
    );
  const tagsAt = async (site: RegistryServer, repository: string) =>
    (await rawListTags({ registry: site }, repository)).sort();

  it('sync – copies everything in scope, deletes nothing on the first run', async () => {
    const dr = bed.sites[0];
    await pushImage({ registry: bed.hq }, 'sync-other/app', 'v1', { layerSizes: [256] });
    const mirror = await mirrorCase('sync', ['a', 'b', 'x.sig'], {});
    const summary = await mirror.run();
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.deepEqual(await tagsAt(dr, 'sync/app'), ['a', 'b', 'x.sig']);
    assert.deepEqual(await tagsAt(dr, 'sync-other/app'), []);
  });

  it('prune – a tag deleted at HQ disappears at DR; out-of-scope tags stay', async () => {
    const dr = bed.sites[0];
    await pushImage({ registry: dr }, 'prune-keep/app', 'v1', { layerSizes: [256] });
    const mirror = await mirrorCase('prune', ['a', 'b', 'c', 'd'], { max_delete_ratio: 0.5 });
    assert.equal((await mirror.run()).status, 'Succeed');
    await mirror.deleteAtHq('a');
    const summary = await mirror.run();
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.deepEqual(await tagsAt(dr, 'prune/app'), ['b', 'c', 'd']);
    assert.deepEqual(await tagsAt(dr, 'prune-keep/app'), ['v1']);
  });

  it('protect – tag, repository:tag and glob patterns keep what the source lost', async () => {
    const dr = bed.sites[0];
    const mirror = await mirrorCase('protect', ['a', 'x.sig', 'pinned', 'gone'], {
      max_delete_ratio: 1,
      protect: ['*.sig', 'protect/app:pinned', 'protect/**/*:keep'],
    });
    const deep = new Map<string, PushedImage>();
    for (const tag of ['keep', 'drop'])
      deep.set(tag, await pushImage({ registry: bed.hq }, 'protect/deep/lib', tag, { layerSizes: [256] }));
    assert.equal((await mirror.run()).status, 'Succeed');
    for (const tag of ['x.sig', 'pinned', 'gone']) await mirror.deleteAtHq(tag);
    for (const image of deep.values())
      await rawDeleteManifest({ registry: bed.hq }, 'protect/deep/lib', image.digest);
    const summary = await mirror.run();
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.deepEqual(await tagsAt(dr, 'protect/app'), ['a', 'pinned', 'x.sig']);
    assert.deepEqual(await tagsAt(dr, 'protect/deep/lib'), ['keep']);
  });

  it('kept digest – an extra tag sharing its digest with a kept tag is not deleted (that would delete both)', async () => {
    const dr = bed.sites[0];
    const mirror = await mirrorCase('alias', ['a', 'b'], { max_delete_ratio: 1 });
    assert.equal((await mirror.run()).status, 'Succeed');
    // At DR only: `alias` is the manifest of `a` under another tag.
    const a = mirror.images.get('a')!;
    await rawPushManifest({ registry: dr }, 'alias/app', 'alias', a.mediaType, a.manifest);
    await mirror.deleteAtHq('b');
    const summary = await mirror.run();
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.deepEqual(await tagsAt(dr, 'alias/app'), ['a', 'alias']);
  });

  it('ratio boundary – exactly max_delete_ratio is pruned; one more deletes nothing and fails saying why', async () => {
    const dr = bed.sites[0];
    const mirror = await mirrorCase('ratio', ['a', 'b', 'c', 'd', 'e', 'f'], { max_delete_ratio: 0.5 });
    assert.equal((await mirror.run()).status, 'Succeed');
    for (const tag of ['a', 'b', 'c']) await mirror.deleteAtHq(tag);
    const atLimit = await mirror.run();
    assert.equal(atLimit.status, 'Succeed', atLimit.statusText);
    assert.deepEqual(await tagsAt(dr, 'ratio/app'), ['d', 'e', 'f']);
    for (const tag of ['d', 'e']) await mirror.deleteAtHq(tag);
    const over = await mirror.run();
    assert.equal(over.status, 'Failed');
    assert.match(
      over.statusText,
      /prune refused: .*would delete 2 of 3 tags in scope \(67%\), more than max_delete_ratio 0.5/,
    );
    assert.deepEqual(await tagsAt(dr, 'ratio/app'), ['d', 'e', 'f']);
  });

  it('several destinations – each is guarded on its own: one pruned, one refused', async () => {
    const [near, far] = [bed.sites[0], bed.sites[1]];
    const mirror = await mirrorCase('several', ['a', 'b', 'c', 'd'], { max_delete_ratio: 0.3 }, [near, far]);
    assert.equal((await mirror.run()).status, 'Succeed');
    // `far` also holds tags HQ never had: 1 of 4 extra at `near`, 3 of 6 at `far`.
    await pushImage({ registry: far }, 'several/app', 'far-1', { layerSizes: [128] });
    await pushImage({ registry: far }, 'several/app', 'far-2', { layerSizes: [128] });
    await mirror.deleteAtHq('a');
    const summary = await mirror.run();
    assert.equal(summary.status, 'Failed');
    assert.match(summary.statusText, new RegExp(`prune refused: ${far.name}: would delete 3 of 6 tags`));
    assert.doesNotMatch(summary.statusText, new RegExp(`${near.name}:`));
    assert.deepEqual(await tagsAt(near, 'several/app'), ['b', 'c', 'd']);
    assert.deepEqual(await tagsAt(far, 'several/app'), ['a', 'b', 'c', 'd', 'far-1', 'far-2']);
  });

  it('push in progress at HQ – a repository with blobs but no tag yet holds the prune back until its tag lands', async () => {
    const dr = bed.sites[0];
    const mirror = await mirrorCase('refill', ['a', 'b', 'c'], { max_delete_ratio: 0.5 });
    assert.equal((await mirror.run()).status, 'Succeed');
    // DR holds refill/incoming:v1; HQ, being refilled, has received its blobs but not yet its manifest.
    const incoming = await pushImage({ registry: dr }, 'refill/incoming', 'v1', { layerSizes: [300] });
    for (const bytes of incoming.blobs.values())
      await rawPushBlob({ registry: bed.hq }, 'refill/incoming', bytes);
    const handle = await mirror.start();
    const planning = await retrying(handle, 'planPrune', 2);
    assert.match(String(planning.lastFailure?.message), /refill\/incoming.*tag list answers 404/);
    assert.equal(planning.lastFailure?.applicationFailureInfo?.type, 'REGISTRY_LISTING_TAGS_UNKNOWN');
    assert.deepEqual(await tagsAt(dr, 'refill/incoming'), ['v1']);
    await rawPushManifest(
      { registry: bed.hq },
      'refill/incoming',
      'v1',
      incoming.mediaType,
      incoming.manifest,
    );
    const summary = await handle.result();
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.deepEqual(await tagsAt(dr, 'refill/incoming'), ['v1']);
    assert.deepEqual(await tagsAt(dr, 'refill/app'), ['a', 'b', 'c']);
  });

  it('unreachable source – while HQ is down the run retries listing it and deletes nothing', async () => {
    const dr = bed.sites[0];
    const mirror = await mirrorCase('down', ['a', 'b'], { max_delete_ratio: 1 });
    assert.equal((await mirror.run()).status, 'Succeed');
    await bed.hq.stop();
    try {
      const handle = await mirror.start();
      // Listing HQ fails with REGISTRY_NETWORK, which is retryable: Temporal retries the listing
      // (10 attempts, backoff up to 30 s) and the prune, which comes after it, never starts.
      const listing = await retrying(handle, 'enumerateArtifacts', 3);
      assert.match(String(listing.lastFailure?.message), /network error .*ECONNREFUSED/);
      assert.equal((await handle.describe()).status.name, 'RUNNING');
      assert.deepEqual(await tagsAt(dr, 'down/app'), ['a', 'b']);
      // Left alone, the run ends when the 10th attempt fails, about 2.5 minutes in (164 s measured),
      // nothing deleted: the API shows it Failed, status_text "run failed". The test stops it: Stopped.
      await handle.cancel();
      await assert.rejects(handle.result(), WorkflowFailedError);
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      assert.deepEqual(await tagsAt(dr, 'down/app'), ['a', 'b']);
    } finally {
      await bed.hq.start();
    }
  });

  it('wiped source – an HQ with an empty catalog never empties DR', async () => {
    const dr = bed.sites[0];
    const mirror = await mirrorCase('wiped', ['a', 'b'], { max_delete_ratio: 1 });
    assert.equal((await mirror.run()).status, 'Succeed');
    await bed.hq.restart({ wipe: true });
    const summary = await mirror.run();
    assert.equal(summary.status, 'Failed');
    assert.match(summary.statusText, /the source lists no tag in scope/);
    assert.deepEqual(await tagsAt(dr, 'wiped/app'), ['a', 'b']);
  });
});
