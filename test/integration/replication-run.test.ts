import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { PolicySnapshot } from '../../policies/index.js';
import { manualRunId } from '../../service/run-identity.js';
import { startReplicationRun } from '../../service/start-replication-run.js';
import { runStatusQuery } from '../../contract/index.js';
import { forEachBounded } from '../../registry/index.js';
import { startCountingProxy } from '../harness/counting-proxy.js';
import { harborRegistryBody } from '../harness/harbor-registry-body.js';
import { pushImage, pushMultiArchImage } from '../harness/images.js';
import { rawGetManifest, rawListTags, rawPushBlob, rawPushManifest, sha256 } from '../harness/raw-client.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { scheduledActivities } from '../harness/scheduled-activities.js';
import { assertServesImage } from '../harness/serves-image.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

describe('replication run', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  const ids: Record<string, number> = {};
  const startManualRun = (policy: PolicySnapshot) =>
    startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(policy, new Date(), randomUUID().slice(0, 4)),
      policy,
      trigger: 'manual',
    });

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

  it('manual run – copies production/** to three sites byte-identical, nothing else', async () => {
    const api = await pushImage({ registry: bed.hq }, 'production/api', 'v1', {
      layerSizes: [300_000, 70_000],
    });
    const web = await pushMultiArchImage({ registry: bed.hq }, 'production/team/web', '2.0', {
      format: 'oci',
      layerSizes: [50_000],
    });
    const list = await pushMultiArchImage({ registry: bed.hq }, 'production/list', 'v3', {
      format: 'docker',
      layerSizes: [20_000],
    });
    await pushImage({ registry: bed.hq }, 'staging/api', 'v1', { layerSizes: [1000] });

    const policy = await regatta.createPolicy({
      name: `prod-to-sites-${randomUUID().slice(0, 6)}`,
      src_registry: { id: ids.hq },
      dest_registries: bed.sites.map((site) => ({ id: ids[site.name] })),
      trigger: { type: 'manual' },
      filters: [{ type: 'name', value: 'production/**' }],
    });
    const handle = await startManualRun(policy);
    const summary = await handle.result();
    const failures = (await regatta.tasks(handle.workflowId, { status: 'Failed' })).tasks;
    assert.equal(
      summary.status,
      'Succeed',
      JSON.stringify(failures.map((task) => [task.dstResource, task.error])),
    );
    assert.equal(summary.counts.total, 9);
    assert.equal(summary.counts.succeed, 9);

    for (const site of bed.sites) {
      await assertServesImage(site, 'production/api', 'v1', api);
      await assertServesImage(site, 'production/team/web', '2.0', web);
      await assertServesImage(site, 'production/list', 'v3', list);
      assert.deepEqual(await rawListTags({ registry: site }, 'staging/api'), []);
    }

    const status = await regatta.tasks(handle.workflowId, { limit: 100 });
    assert.equal(status.matching, 9);
    assert.ok(status.tasks.every((task) => task.status === 'Succeed' && task.outcome === 'copied'));

    // A second run finds everything in place: skipped, nothing uploaded.
    const again = await startManualRun(policy);
    const second = await again.result();
    assert.equal(second.status, 'Succeed');
    assert.equal(second.bytes, 0);
    const secondTasks = (await regatta.tasks(again.workflowId, { limit: 100 })).tasks;
    assert.deepEqual(new Set(secondTasks.map((task) => task.outcome)), new Set(['skipped']));
    // Each run's one page was checked as it was listed: no check activity of its own.
    assert.deepEqual(await scheduledActivities(handle), ['enumerateArtifacts', 'copyBatch']);
    assert.deepEqual(await scheduledActivities(again), ['enumerateArtifacts']);
  });
  it('speed – the cap holds for the run as a whole, not per artifact copied at once', async () => {
    // Four artifacts of 256 KiB copied at once in one batch, capped at 1 MiB/s for the run: the
    // run's concurrent batches share the cap, so one batch gets a quarter, and its four copies
    // share that. One cap per copy would move the four in about a second.
    const layer = 256 * 1024;
    for (let index = 0; index < 4; index++)
      await pushImage({ registry: bed.hq }, `capped/image-${index}`, 'v1', { layerSizes: [layer] });
    const policy = await regatta.createPolicy({
      name: `capped-${randomUUID().slice(0, 6)}`,
      src_registry: { id: ids.hq },
      dest_registries: [{ id: ids[bed.sites[0]!.name] }],
      trigger: { type: 'manual' },
      filters: [{ type: 'name', value: 'capped/**' }],
      speed: 1024,
    });
    const started = performance.now();
    const handle = await startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(policy, new Date(), randomUUID().slice(0, 4)),
      policy,
      trigger: 'manual',
    });
    const summary = await handle.result();
    const seconds = (performance.now() - started) / 1000;
    assert.equal(summary.status, 'Succeed', summary.statusText);
    // 1 MiB at 256 KiB/s, less the limiter's burst: at least 3.5 s however fast the machine.
    assert.ok(seconds >= 3.5, `four capped copies took ${seconds.toFixed(2)} s`);
  });

  it('HQ read once – a three-site run reads each unique blob from HQ once, counted by a proxy in front of HQ', async () => {
    const [hqHost, hqPort] = bed.hq.host.split(':');
    const proxy = await startCountingProxy({
      target: { host: hqHost!, port: Number(hqPort) },
      tls: bed.certificates,
    });
    try {
      const counted = await regatta.store.registries.create({
        ...harborRegistryBody(bed.hq),
        name: 'hq-counted',
        url: proxy.url,
      });
      const images = [
        await pushImage({ registry: bed.hq }, 'fanout/app', 'v1', { layerSizes: [400_000, 90_000] }),
        await pushMultiArchImage({ registry: bed.hq }, 'fanout/index', 'v1', {
          format: 'oci',
          layerSizes: [60_000, 5_000],
        }),
        await pushMultiArchImage({ registry: bed.hq }, 'fanout/list', 'v1', {
          format: 'docker',
          layerSizes: [30_000],
        }),
      ];
      const policy = await regatta.createPolicy({
        name: `fan-out-${randomUUID().slice(0, 6)}`,
        src_registry: { id: counted.id },
        dest_registries: bed.sites.map((site) => ({ id: ids[site.name] })),
        filters: [{ type: 'name', value: 'fanout/**' }],
      });
      const summary = await (await startManualRun(policy)).result();
      assert.equal(summary.status, 'Succeed', summary.statusText);
      assert.equal(summary.counts.succeed, 9);
      const unique = new Map(
        images.flatMap((image) => [...image.blobs].map(([digest, bytes]) => [digest, bytes.length])),
      );
      const served = [...proxy.counts.blobBytes].sort(([a], [b]) => a.localeCompare(b));
      assert.deepEqual(
        served,
        [...unique].sort(([a], [b]) => a.localeCompare(b)),
        'blob bytes served = unique blob bytes',
      );
      for (const site of bed.sites) await assertServesImage(site, 'fanout/app', 'v1', images[0]!);
    } finally {
      await proxy.stop();
    }
  });

  it('dest_namespace – -1 keeps the last component, 0 the whole path, n drops n components, at real sites', async () => {
    const image = await pushImage({ registry: bed.hq }, 'ns/team/app', 'v1', { layerSizes: [2048] });
    const site = bed.sites[1];
    const cases: Array<[number | undefined, string]> = [
      [undefined, 'flat-default/app'],
      [-1, 'flat-all/app'],
      [0, 'flat-none/ns/team/app'],
      [1, 'flat-one/team/app'],
      [3, 'flat-every'],
    ];
    for (const [count, expected] of cases) {
      const namespace = expected.split('/')[0]!;
      const policy = await regatta.createPolicy({
        name: `${namespace}-${randomUUID().slice(0, 6)}`,
        src_registry: { id: ids.hq },
        dest_registry: { id: ids[site.name] },
        filters: [{ type: 'name', value: 'ns/team/app' }],
        dest_namespace: namespace,
        ...(count === undefined ? {} : { dest_namespace_replace_count: count }),
      });
      const handle = await startManualRun(policy);
      const summary = await handle.result();
      assert.equal(summary.status, 'Succeed', `${count}: ${summary.statusText}`);
      const [task] = (await regatta.tasks(handle.workflowId, { limit: 10 })).tasks;
      assert.equal(task?.dstResource, `${site.name}/${expected}:v1`);
      await assertServesImage(site, expected, 'v1', image);
    }
    // Only the mapped names: nothing under the source's own name.
    assert.deepEqual(await rawListTags({ registry: site }, 'ns/team/app'), []);
  });

  it('many tags – a run over 1,200 tags goes through three pages of artifacts, each tag in place after it', async () => {
    // One small image under many tags, at a plain-HTTP source; the site holds most of them
    // already, so the run is mostly HEADs, and still lists, pages and decides every tag. Some
    // tags at the site point to another image: a page's check must not take them for in place.
    const [source, site] = [bed.sites[0], bed.sites[2]];
    const image = await pushImage({ registry: source }, 'many/app', 't0000', { layerSizes: [256] });
    const other = await pushImage({ registry: site }, 'many/app', undefined, { layerSizes: [128] });
    const tags = Array.from({ length: 1200 }, (_, index) => `t${String(index).padStart(4, '0')}`);
    const missing = new Set(tags.filter((_, index) => index % 12 === 0));
    const elsewhere = new Set(tags.filter((_, index) => index % 100 === 7));
    for (const [digest, bytes] of image.blobs)
      assert.equal(await rawPushBlob({ registry: site }, 'many/app', bytes), digest);
    await forEachBounded(tags, 8, async (tag) => {
      if (tag !== 't0000')
        await rawPushManifest({ registry: source }, 'many/app', tag, image.mediaType, image.manifest);
      const atSite = elsewhere.has(tag) ? other : missing.has(tag) ? undefined : image;
      if (atSite)
        await rawPushManifest({ registry: site }, 'many/app', tag, atSite.mediaType, atSite.manifest);
    });
    const policy = await regatta.createPolicy({
      name: `many-${randomUUID().slice(0, 6)}`,
      src_registry: { id: ids[source.name] },
      dest_registry: { id: ids[site.name] },
      filters: [{ type: 'name', value: 'many/**' }],
    });
    const handle = await startManualRun(policy);
    const summary = await handle.result();
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.deepEqual([summary.counts.total, summary.counts.succeed], [1200, 1200]);
    const status = await handle.query(runStatusQuery);
    assert.deepEqual(
      (status.pages ?? []).map((page) => [page.firstTaskId, page.taskCount]),
      [
        [1, 500],
        [501, 500],
        [1001, 200],
      ],
    );
    const tasks = (await regatta.tasks(handle.workflowId, { limit: 5000 })).tasks;
    const copied = tasks.filter((task) => task.outcome === 'copied').map((task) => task.dstResource);
    assert.deepEqual(
      copied.sort(),
      [...missing, ...elsewhere].sort().map((tag) => `${site.name}/many/app:${tag}`),
    );
    assert.equal(
      tasks.filter((task) => task.outcome === 'skipped').length,
      1200 - missing.size - elsewhere.size,
    );
    assert.deepEqual((await rawListTags({ registry: site }, 'many/app')).sort(), tags);
    // Override is on: the tags on another image now serve the source's.
    for (const tag of elsewhere)
      assert.equal(sha256((await rawGetManifest({ registry: site }, 'many/app', tag)).bytes), image.digest);
  });
});
