// Tree policies on real registries: a dry run planned link by link (each site against its hub as
// the hub would be after the run), a hub that keeps its own digest (override off), and hubs that
// fail (one behind a fault proxy answering 503, one stopped), with and without falling back to HQ.
// The worker's retry budget is 12 s, so a hub that stays down is given up on within seconds.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StartedApi } from '../../server/start-api.js';
import { apiSession, type ApiSession, type TaskView } from '../harness/api-session.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { harborRegistryBody } from '../harness/harbor-registry-body.js';
import { pushImage, pushImageCopy, type PushedImage } from '../harness/images.js';
import { rawGetManifest } from '../harness/raw-client.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startRegistryServer, type RegistryServer } from '../harness/registry-server.js';
import { assertServesImage } from '../harness/serves-image.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

/** What a run (or its plan) does per task: the link, what it does, the digest and bytes. */
function action(task: TaskView) {
  const outcome = task.outcome === 'would_copy' ? 'copied' : task.outcome;
  return {
    link: `${task.src_resource} -> ${task.dst_resource}`,
    status: task.status,
    outcome,
    digest: task.digest,
    bytes: task.bytes,
  };
}
const byLink = (a: { link: string }, b: { link: string }) => a.link.localeCompare(b.link);
/** What a copy of the image sends to a registry that has none of it: its blobs and manifests. */
const sizeOf = (image: PushedImage) =>
  [...image.blobs.values()].reduce((sum, blob) => sum + blob.length, 0) +
  image.manifest.length +
  image.children.reduce((sum, child) => sum + child.manifest.length, 0);

describe('tree runs on real registries: a plan per link, a hub that keeps its own, failing hubs', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  let session: ApiSession;
  let hub: RegistryServer;
  let sites: RegistryServer[];
  let treePolicyId: number;
  const images = new Map<string, PushedImage>();
  /** The hub's own `plan/app:own`, another digest than HQ's. */
  let hubsOwn: PushedImage;

  const extra: RegistryServer[] = [];
  let downSites: RegistryServer[];
  let unavailable: FaultProxy;
  let hubStopped: RegistryServer;
  let failingPolicyId: number;

  before(async () => {
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed, { environment: { REGATTA_RETRY_BUDGET_MINUTES: '0.2' } });
    api = await startRegattaApi(bed, regatta);
    session = apiSession(api.url);
    const hq = await regatta.addRegistry(bed.hq);

    // HQ → two hubs, each with two sites; both hubs fail. Distribution 2.8 and 3.x alike.
    extra.push(
      ...(await Promise.all(
        ['hub-503', 'hub-stopped', 'site-a1', 'site-a2', 'site-b1', 'site-b2'].map((name, index) =>
          startRegistryServer({ name, dir: join(bed.dir, name), distribution: index % 2 === 0 ? 2 : 3 }),
        ),
      )),
    );
    const [hub503, stopped, ...leaves] = extra as [RegistryServer, RegistryServer, ...RegistryServer[]];
    hubStopped = stopped;
    downSites = leaves;
    unavailable = await startFaultProxy(hub503);
    unavailable.rules = [{ fault: { kind: 'refuse', status: 503 } }];
    const hub503Id = (
      await regatta.store.registries.create({ ...harborRegistryBody(hub503), url: unavailable.url })
    ).id;
    const hubStoppedId = await regatta.addRegistry(hubStopped);
    const leafIds = [];
    for (const leaf of leaves) leafIds.push(await regatta.addRegistry(leaf));
    failingPolicyId = await session.createdId('/replication/policies', {
      name: 'hq-to-failing-hubs',
      src_registry: { id: hq },
      trigger: { type: 'manual' },
      filters: [{ type: 'name', value: 'fallback/**' }],
      tree: [
        {
          registry: { id: hub503Id },
          on_hub_failure: 'from_parent',
          children: leafIds.slice(0, 2).map((id) => ({ registry: { id } })),
        },
        {
          registry: { id: hubStoppedId },
          on_hub_failure: 'fail',
          children: leafIds.slice(2).map((id) => ({ registry: { id } })),
        },
      ],
      enabled: true,
    });

    // HQ → hub-eu → paris, lyon, override off, where the hub holds plan/app:held (as HQ) and its
    // own plan/app:own (not HQ's), and paris holds plan/app:held.
    [hub, ...sites] = bed.sites;
    const [hubId, ...siteIds] = [
      await regatta.addRegistry(hub, 'hub-eu'),
      await regatta.addRegistry(sites[0]!, 'paris'),
      await regatta.addRegistry(sites[1]!, 'lyon'),
    ];
    for (const [tag, layerSizes] of [
      ['new', [4096, 1024]],
      ['held', [3000]],
      ['own', [2000]],
    ] as const)
      images.set(
        tag,
        await pushImage({ registry: bed.hq }, 'plan/app', tag, { layerSizes: [...layerSizes] }),
      );
    await pushImageCopy({ registry: hub }, 'plan/app', 'held', images.get('held')!);
    await pushImageCopy({ registry: sites[0]! }, 'plan/app', 'held', images.get('held')!);
    hubsOwn = await pushImage({ registry: hub }, 'plan/app', 'own', { layerSizes: [2500] });
    treePolicyId = await session.createdId('/replication/policies', {
      name: 'hq-to-eu',
      src_registry: { id: hq },
      trigger: { type: 'manual' },
      override: false,
      filters: [{ type: 'name', value: 'plan/**' }],
      tree: [{ registry: { id: hubId }, children: siteIds.map((id) => ({ registry: { id } })) }],
      enabled: true,
    });
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await unavailable?.stop();
    for (const server of extra) await server.stop();
    await bed?.stop();
  });

  it('plan – link by link: each site against its hub as the hub would be after the run, and what each link would send', async () => {
    const planId = await session.createdId('/replication/executions', {
      policy_id: treePolicyId,
      dry_run: true,
    });
    const plan = await session.finishedExecution(planId);
    assert.equal(plan.status, 'Succeed', plan.status_text);
    assert.equal(plan.dry_run, true);
    const tasks = await session.allTasks(planId);
    const [newImage, held] = [images.get('new')!, images.get('held')!];
    const planned = (src: string, dst: string, outcome: string, image: PushedImage, bytes: number) => ({
      link: `${src} -> ${dst}`,
      status: 'Succeed',
      outcome,
      digest: image.digest,
      bytes,
    });
    assert.deepEqual(
      tasks.map((task) => ({ ...action(task), outcome: task.outcome })).sort(byLink),
      [
        planned('plan/app:new', 'hub-eu/plan/app:new', 'would_copy', newImage, sizeOf(newImage)),
        planned('hub-eu/plan/app:new', 'paris/plan/app:new', 'would_copy', newImage, sizeOf(newImage)),
        planned('hub-eu/plan/app:new', 'lyon/plan/app:new', 'would_copy', newImage, sizeOf(newImage)),
        planned('plan/app:held', 'hub-eu/plan/app:held', 'skipped', held, 0),
        planned('hub-eu/plan/app:held', 'paris/plan/app:held', 'skipped', held, 0),
        planned('hub-eu/plan/app:held', 'lyon/plan/app:held', 'would_copy', held, sizeOf(held)),
        // The hub keeps its own: its sites are planned from what it holds, not from HQ.
        planned('plan/app:own', 'hub-eu/plan/app:own', 'kept', hubsOwn, 0),
        planned('hub-eu/plan/app:own', 'paris/plan/app:own', 'would_copy', hubsOwn, sizeOf(hubsOwn)),
        planned('hub-eu/plan/app:own', 'lyon/plan/app:own', 'would_copy', hubsOwn, sizeOf(hubsOwn)),
      ].sort(byLink),
    );
    const note = (dst: string) => tasks.find((task) => task.dst_resource === dst)?.note;
    const blobBytes = [...newImage.blobs.values()].reduce((sum, blob) => sum + blob.length, 0);
    assert.equal(
      note('paris/plan/app:new'),
      `would send 3 blobs (${blobBytes} bytes) and 1 manifest (${newImage.manifest.length} bytes)`,
    );
    assert.match(
      note('lyon/plan/app:own')!,
      new RegExp(
        `^hub-eu holds its own ${hubsOwn.digest} \\(override off\\): its subtree gets that, not the source's; would send 2 blobs`,
      ),
    );
    const bytes = tasks.reduce((sum, task) => sum + task.bytes, 0);
    assert.equal(plan.bytes, bytes);
    assert.match(
      plan.status_text,
      new RegExp(`^dry run: 6 to copy \\(${bytes} bytes\\), 3 in place, 0 to delete`),
    );
    assert.equal(
      (await rawGetManifest({ registry: sites[1]! }, 'plan/app', 'new')).status,
      404,
      'nothing written',
    );
  });

  it('run – does exactly the plan made before it: the kept hub’s sites hold the hub’s digest, the others HQ’s, byte for byte', async () => {
    const planId = await session.createdId('/replication/executions', {
      policy_id: treePolicyId,
      dry_run: true,
    });
    assert.equal((await session.finishedExecution(planId)).status, 'Succeed');
    const runId = await session.createdId('/replication/executions', { policy_id: treePolicyId });
    const run = await session.finishedExecution(runId);
    assert.equal(run.status, 'Succeed', run.status_text);
    const tasks = await session.allTasks(runId);
    assert.deepEqual(
      tasks.map(action).sort(byLink),
      (await session.allTasks(planId)).map(action).sort(byLink),
    );
    for (const site of sites) {
      await assertServesImage(site, 'plan/app', 'new', images.get('new')!);
      await assertServesImage(site, 'plan/app', 'held', images.get('held')!);
      await assertServesImage(site, 'plan/app', 'own', hubsOwn);
    }
    await assertServesImage(hub, 'plan/app', 'own', hubsOwn);
    for (const site of ['paris', 'lyon'])
      assert.match(
        tasks.find((task) => task.dst_resource === `${site}/plan/app:own`)!.note!,
        /^hub-eu holds its own sha256:[0-9a-f]{64} \(override off\)/,
      );
  });

  it('failing hubs – from_parent: its sites are copied from HQ, byte for byte, saying which hub failed; fail: its sites fail with HUB_FAILED naming the hub', async () => {
    const fallback = await pushImage({ registry: bed.hq }, 'fallback/app', 'v1', {
      layerSizes: [6000, 2000],
    });
    await hubStopped.stop();
    const failingRunId = await session.createdId('/replication/executions', { policy_id: failingPolicyId });
    const run = await session.finishedExecution(failingRunId, 120_000);
    assert.equal(run.status, 'Failed', run.status_text);
    const tasks = await session.allTasks(failingRunId);
    const log = async (dst: string) => {
      const task = tasks.find((entry) => entry.dst_resource === dst);
      assert.ok(task, `a task for ${dst}`);
      const reply = await session.call('GET', `/replication/executions/${failingRunId}/tasks/${task.id}/log`);
      assert.equal(reply.status, 200, reply.text);
      return { task, log: reply.text };
    };
    // Each hub failed once its retry budget was spent, with its own error.
    for (const [name, code] of [
      ['hub-503', 'REGISTRY_SERVER_ERROR'],
      ['hub-stopped', 'REGISTRY_NETWORK'],
    ] as const) {
      const { task, log: text } = await log(`${name}/fallback/app:v1`);
      assert.equal(task.status, 'Failed');
      assert.equal(task.outcome, 'retry_budget_spent');
      assert.match(
        text,
        new RegExp(`^error ${code}: .*\\(retry budget of 12 s spent after \\d+ attempts\\)$`, 'm'),
      );
    }
    for (const [index, site] of ['site-a1', 'site-a2'].entries()) {
      const { task, log: text } = await log(`${site}/fallback/app:v1`);
      assert.equal(task.status, 'Succeed');
      assert.equal(task.src_resource, 'fallback/app:v1', 'copied from HQ');
      assert.match(
        text,
        /^note: hub-503 did not get it \(REGISTRY_SERVER_ERROR: .*\): copied from the source instead$/m,
      );
      await assertServesImage(downSites[index]!, 'fallback/app', 'v1', fallback);
    }
    for (const [index, site] of ['site-b1', 'site-b2'].entries()) {
      const { task, log: text } = await log(`${site}/fallback/app:v1`);
      assert.equal(task.status, 'Failed');
      assert.match(
        text,
        /^error HUB_FAILED: hub-stopped did not get fallback\/app:v1 \(REGISTRY_NETWORK: .*\); its subtree fails with it$/m,
      );
      const manifest = await rawGetManifest({ registry: downSites[index + 2]! }, 'fallback/app', 'v1');
      assert.equal(manifest.status, 404, `${site} got nothing`);
    }
    assert.match(run.status_text, /^2\/6 succeeded, 4 failed/);
  });
});
