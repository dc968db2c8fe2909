import { ActivityFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type ApplicationFailure } from '@temporalio/common';
import protos from '@temporalio/proto';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { manualRunId } from '../../service/run-identity.js';
import { startReplicationRun } from '../../service/start-replication-run.js';
import type { PolicySnapshot } from '../../policies/index.js';
import { eventually } from '../harness/eventually.js';
import { manifestVariant, pushImage, type PushedImage } from '../harness/images.js';
import { rawDeleteManifest, rawListTags, rawPushBlob, rawPushManifest } from '../harness/raw-client.js';
import type { RegistryServer } from '../harness/registry-server.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startTamperingProxy, type Answer, type Tamper } from '../harness/tampering-proxy.js';
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

  /**
   * A mirror of `<prefix>/**` from HQ (read at `source`, HQ itself or a proxy in front of it) to
   * `sites`, with HQ holding `tags` of `<prefix>/app`.
   */
  async function mirrorCase(
    prefix: string,
    tags: string[],
    mirror: { max_delete_ratio?: number; max_delete_ratio_per_repository?: number; protect?: string[] },
    sites: RegistryServer[] = [bed.sites[0]],
    source = ids.hq!,
  ) {
    const images = new Map<string, PushedImage>();
    for (const tag of tags)
      images.set(tag, await pushImage({ registry: bed.hq }, `${prefix}/app`, tag, { layerSizes: [512] }));
    const policy: PolicySnapshot = await regatta.createPolicy({
      name: `${prefix}-${randomUUID().slice(0, 6)}`,
      src_registry: { id: source },
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
    const planning = await retrying(handle, 'planPrunePages', 2);
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

  it('per repository – a repository wiped at HQ among kept ones is not emptied at DR, the total being low', async () => {
    const dr = bed.sites[0];
    const mirror = await mirrorCase('perrepo', ['a', 'b', 'c', 'd', 'e', 'f'], {
      max_delete_ratio: 0.5,
      max_delete_ratio_per_repository: 0.5,
    });
    const lib = [];
    for (const tag of ['x', 'y'])
      lib.push(await pushImage({ registry: bed.hq }, 'perrepo/lib', tag, { layerSizes: [256] }));
    assert.equal((await mirror.run()).status, 'Succeed');
    for (const image of lib) await rawDeleteManifest({ registry: bed.hq }, 'perrepo/lib', image.digest);
    await mirror.deleteAtHq('a');
    const summary = await mirror.run();
    assert.equal(summary.status, 'Failed');
    assert.match(
      summary.statusText,
      /prune refused: site-plain: would delete 2 of 2 tags of perrepo\/lib \(100%\), more than max_delete_ratio_per_repository 0.5/,
    );
    assert.deepEqual(await tagsAt(dr, 'perrepo/lib'), ['x', 'y']);
    assert.deepEqual(await tagsAt(dr, 'perrepo/app'), ['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('re-checked – a tag pushed at HQ after the prune was planned, before its delete, stays: kept_source_has_it', async () => {
    const dr = bed.sites[0];
    let late: PushedImage | undefined;
    let pushedBack = false;
    // HQ through a proxy that, at the delete's own HEAD of the tag at HQ, first pushes the tag again.
    const proxy = await startTamperingProxy(bed.hq, async (exchange, forward) => {
      if (late && exchange.method === 'HEAD' && exchange.url === '/v2/recheck/app/manifests/late') {
        await rawPushManifest({ registry: bed.hq }, 'recheck/app', 'late', late.mediaType, late.manifest);
        [late, pushedBack] = [undefined, true];
      }
      return forward();
    });
    try {
      const source = await regatta.addRegistry({ ...bed.hq, url: proxy.url }, 'hq-recheck');
      const mirror = await mirrorCase(
        'recheck',
        ['a', 'b', 'c', 'late'],
        { max_delete_ratio: 0.5 },
        [dr],
        source,
      );
      assert.equal((await mirror.run()).status, 'Succeed');
      await mirror.deleteAtHq('late');
      late = mirror.images.get('late');
      const handle = await mirror.start();
      const summary = await runOutcome(handle);
      assert.equal(summary.status, 'Succeed', summary.statusText);
      assert.ok(pushedBack, 'the tag was pushed again between the plan and its delete');
      const deletes = (await regatta.tasks(handle.workflowId)).tasks.filter(
        (task) => task.operation === 'delete',
      );
      assert.deepEqual(
        deletes.map((task) => [task.srcResource, task.status, task.outcome]),
        [['recheck/app:late', 'Succeed', 'kept_source_has_it']],
      );
      assert.match(deletes[0]!.note ?? '', /not deleted: the source has recheck\/app:late/);
      assert.deepEqual(await tagsAt(dr, 'recheck/app'), ['a', 'b', 'c', 'late']);
    } finally {
      await proxy.stop();
    }
  });

  it('listing faults at HQ – a foreign Link, a 404 tag list, a cut listing: an error, never "empty"; nothing deleted', async () => {
    const dr = bed.sites[0];
    let fault: Tamper | undefined;
    let listings = 0;
    // The run's first listing of listing/app (what it copies) is left alone: the prune's is faulted.
    const proxy = await startTamperingProxy(bed.hq, async (exchange, forward) =>
      fault && exchange.url.startsWith('/v2/listing/app/tags/list') && ++listings > 1
        ? fault(exchange, forward)
        : forward(),
    );
    const json = (status: number, body: unknown): Answer => ({
      status,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    });
    const linked = async (forward: () => Promise<Answer>, link: string) => {
      const answer = await forward();
      return { ...answer, headers: { ...answer.headers, link: `<${link}>; rel="next"` } };
    };
    const notKnown = json(404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known' }] });
    const cases: Array<{ name: string; code: string; permanent: boolean; fault: Tamper }> = [
      {
        name: 'a Link to another origin',
        code: 'REGISTRY_LISTING_FOREIGN_LINK',
        permanent: true,
        fault: (_exchange, forward) =>
          linked(forward, 'https://elsewhere.example/v2/listing/app/tags/list?n=1000&last=d'),
      },
      {
        name: 'a 404 tag list for a repository the catalog lists',
        code: 'REGISTRY_LISTING_TAGS_UNKNOWN',
        permanent: false,
        fault: async () => notKnown,
      },
      {
        name: 'a next page answering 404: the listing cut short',
        code: 'REGISTRY_LISTING_TRUNCATED',
        permanent: false,
        fault: async (exchange, forward) =>
          exchange.url.includes('last=')
            ? notKnown
            : linked(forward, '/v2/listing/app/tags/list?n=1000&last=b'),
      },
      {
        name: 'a page cut inside its JSON',
        code: 'REGISTRY_LISTING_INVALID',
        permanent: true,
        fault: async () => json(200, '{"name":"listing/app","tags":["b","c"'),
      },
    ];
    try {
      const source = await regatta.addRegistry({ ...bed.hq, url: proxy.url }, 'hq-listing');
      const mirror = await mirrorCase(
        'listing',
        ['a', 'b', 'c', 'd'],
        { max_delete_ratio: 0.5 },
        [dr],
        source,
      );
      assert.equal((await mirror.run()).status, 'Succeed');
      await mirror.deleteAtHq('a');
      for (const { name, code, permanent, fault: tamper } of cases) {
        [fault, listings] = [tamper, 0];
        const handle = await mirror.start();
        if (permanent) {
          await assert.rejects(handle.result(), (error: unknown) => {
            const failure = error instanceof WorkflowFailedError ? error.cause : undefined;
            assert.ok(failure instanceof ActivityFailure, `${name}: ${String(error)}`);
            assert.equal(failure.activityType, 'planPrunePages', name);
            assert.equal((failure.cause as ApplicationFailure).type, code, name);
            return true;
          });
        } else {
          const planning = await retrying(handle, 'planPrunePages', 2);
          assert.equal(planning.lastFailure?.applicationFailureInfo?.type, code, name);
          await handle.cancel();
          await assert.rejects(handle.result(), WorkflowFailedError);
        }
        assert.deepEqual(await tagsAt(dr, 'listing/app'), ['a', 'b', 'c', 'd'], name);
      }
      // The same run with HQ answering as it should deletes what HQ deleted.
      fault = undefined;
      const summary = await mirror.run();
      assert.equal(summary.status, 'Succeed', summary.statusText);
      assert.deepEqual(await tagsAt(dr, 'listing/app'), ['b', 'c', 'd']);
    } finally {
      await proxy.stop();
    }
  });

  it('paged – a prune of 600 tags goes as pages of at most 500; the run history holds none of them', async () => {
    const dr = bed.sites[0];
    const mirror = await mirrorCase('paged', ['keep'], { max_delete_ratio: 1 });
    assert.equal((await mirror.run()).status, 'Succeed');
    // At DR only: 600 tags of their own digests, 50 in each of 12 repositories (Distribution
    // looks through a repository's every tag for each manifest it deletes).
    const extra: Array<{ repository: string; tag: string; image: PushedImage }> = [];
    for (let repository = 0; repository < 12; repository++) {
      const name = `paged/old-${repository}`;
      const image = await pushImage({ registry: dr }, name, undefined, { layerSizes: [128] });
      for (let tag = 0; tag < 50; tag++) extra.push({ repository: name, tag: `gone-${tag}`, image });
    }
    let next = 0;
    const lane = async () => {
      while (next < extra.length) {
        const { repository, tag, image } = extra[next++]!;
        await rawPushManifest(
          { registry: dr },
          repository,
          tag,
          image.mediaType,
          manifestVariant(image, tag),
        );
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    const handle = await mirror.start();
    const summary = await runOutcome(handle);
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.equal(summary.counts.total, 1 + 600);
    assert.deepEqual(await tagsAt(dr, 'paged/app'), ['keep']);
    for (let repository = 0; repository < 12; repository++)
      assert.deepEqual(await tagsAt(dr, `paged/old-${repository}`), []);
    const history = await handle.fetchHistory();
    const pages = (history.events ?? []).flatMap((event) => {
      const started = event.startChildWorkflowExecutionInitiatedEventAttributes;
      return started ? [started.workflowId] : [];
    });
    assert.deepEqual(
      pages,
      [2, 3].map((page) => `${handle.workflowId}/page-${page}`),
    );
    const bytes = Buffer.from(protos.temporal.api.history.v1.History.encode(history).finish());
    assert.ok(!bytes.includes('gone-'), 'no deletion in the run history');
    assert.ok(bytes.length < 64 * 1024, `the run history is ${bytes.length} bytes`);
    const kept = await regatta.store.runPages.pages(handle.workflowId);
    assert.deepEqual(
      kept.map((page) => page.taskCount),
      [1, 500, 100],
    );
    // The plan is gone from the store with the run's end.
    const planned = (history.events ?? []).flatMap((event) => {
      const result = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
      const value = result ? defaultPayloadConverter.fromPayload<{ planId?: string }>(result) : undefined;
      return value?.planId ? [value.planId] : [];
    });
    assert.equal(planned.length, 1);
    await assert.rejects(regatta.store.prunePlans.page(planned[0]!, 1), /has no page 1/);
  });
});
