// Every distinct change at HQ reaches every site, in order, through HQ's own notifications: a tag
// rolled back, a digest deleted and pushed again, a delivery sent again after its run failed. True
// duplicates start nothing. A slow run never moves a site's tag backwards. Real registries, real
// notifications (through a recording proxy in front of the API), the real API and worker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { policyIdKey } from '../../contract/index.js';
import type { StartedApi } from '../../server/start-api.js';
import { apiSession, type ApiSession, type ExecutionView } from '../harness/api-session.js';
import { deliveredRunId } from '../harness/delivered-run-id.js';
import { eventually } from '../harness/eventually.js';
import { harborRegistryBody } from '../harness/harbor-registry-body.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawDeleteManifest, rawGetManifest, rawPushManifest, sha256 } from '../harness/raw-client.js';
import {
  startRecordingProxy,
  type RecordedRequest,
  type RecordingProxy,
} from '../harness/recording-proxy.js';
import type { RegistryServer } from '../harness/registry-server.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { startThrottlingProxy, type ThrottlingProxy } from '../harness/throttling-proxy.js';

const webhookSecret = 'hq-webhook-secret-0123456789';

/** The digest a registry's tag points to now; undefined when it has no such tag. */
async function digestAt(
  registry: RegistryServer,
  repository: string,
  tag: string,
): Promise<string | undefined> {
  const manifest = await rawGetManifest({ registry }, repository, tag);
  return manifest.status === 200 ? sha256(manifest.bytes) : undefined;
}

async function everywhere(
  sites: RegistryServer[],
  repository: string,
  tag: string,
  digest: string | undefined,
) {
  for (const site of sites) if ((await digestAt(site, repository, tag)) !== digest) return false;
  return true;
}

/** Pushes an image's manifest again under `tag` (its blobs are there): the same digest, a new event. */
async function pushAgain(registry: RegistryServer, repository: string, tag: string, image: PushedImage) {
  await rawPushManifest({ registry }, repository, tag, image.mediaType, image.manifest);
}

describe('events – rollbacks, re-pushes, redeliveries and races', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  let session: ApiSession;
  let deliveries: RecordingProxy;
  let slow: ThrottlingProxy;
  const policies: Record<string, number> = {};
  const registries: Record<string, number> = {};

  const apiUrl = () => api.url.replace('localhost', '127.0.0.1');
  const runsOf = async (policyId: number) => {
    let count = 0;
    for await (const _ of regatta.client.workflow.list({ query: `${policyIdKey.name} = ${policyId}` }))
      count++;
    return count;
  };

  /** The registry's own deliveries that carried an event for `repository`. */
  const deliveriesFor = (repository: string, action = 'push'): RecordedRequest[] =>
    deliveries.requests.filter((delivery) => {
      const events =
        (
          JSON.parse(delivery.body.toString('utf8')) as {
            events?: Array<{ action: string; target: { repository: string; tag?: string } }>;
          }
        ).events ?? [];
      return events.some(
        (event) =>
          event.action === action &&
          event.target.repository === repository &&
          (action !== 'push' || event.target.tag),
      );
    });

  /** Sends a recorded delivery to the API again, as the registry would. */
  const redeliver = async (delivery: RecordedRequest) => {
    const reply = await request(`${apiUrl()}${delivery.path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${webhookSecret}`,
        'content-type': String(delivery.headers['content-type']),
      },
      body: delivery.body,
    });
    return { status: reply.statusCode, json: (await reply.body.json()) as { runs?: string[] } };
  };

  before(async () => {
    // The API's port is known only once it started: the proxy asks for it per request.
    deliveries = await startRecordingProxy(apiUrl);
    bed = await startTestBed({
      hqNotifications: [
        {
          name: 'regatta',
          url: `${deliveries.url}/webhooks/registries/1`,
          headers: { Authorization: [`Bearer ${webhookSecret}`] },
          ignoredmediatypes: ['application/octet-stream'],
        },
      ],
    });
    const [plain, basic] = bed.sites;
    slow = await startThrottlingProxy(
      { host: '127.0.0.1', port: Number(new URL(plain.url).port) },
      256 * 1024,
    );
    regatta = await startRegattaWorker(bed);
    api = await startRegattaApi(bed, regatta);
    session = apiSession(apiUrl());
    registries.hq = await session.createdId(
      '/registries',
      harborRegistryBody(bed.hq, { webhook_secret: webhookSecret }),
    );
    assert.equal(registries.hq, 1, 'HQ is registry 1, as its notification URL says');
    for (const site of bed.sites)
      registries[site.name] = await session.createdId('/registries', harborRegistryBody(site));
    registries.slow = await session.createdId('/registries', { name: 'slow-site', url: slow.url });
    registries.fragile = await session.createdId('/registries', {
      ...harborRegistryBody(basic),
      name: 'site-basic-wrong-password',
      credential: {
        type: 'basic',
        access_key: basic.credentials!.username,
        access_secret: 'not-the-password',
      },
    });
    const policy = (name: string, repositories: string, destinations: number[]) =>
      session.createdId('/replication/policies', {
        name,
        src_registry: { id: registries.hq },
        dest_registries: destinations.map((id) => ({ id })),
        trigger: { type: 'event_based' },
        filters: [{ type: 'name', value: repositories }],
        deletion: true,
      });
    policies.changes = await policy(
      'changes',
      'production/**',
      bed.sites.map((site) => registries[site.name]!),
    );
    policies.race = await policy('race', 'racing/**', [registries.slow]);
    policies.fragile = await policy('fragile', 'fragile/**', [registries.fragile]);
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await slow?.stop();
    await bed?.stop();
    await deliveries?.stop();
  });

  it('rollback – A, then B, then A again at HQ: every site ends at A', async () => {
    const a = await pushImage({ registry: bed.hq }, 'production/rollback', 'v1', { layerSizes: [2048] });
    await eventually(
      () => everywhere(bed.sites, 'production/rollback', 'v1', a.digest),
      60_000,
      'A at every site',
    );
    const b = await pushImage({ registry: bed.hq }, 'production/rollback', 'v1', { layerSizes: [1024] });
    await eventually(
      () => everywhere(bed.sites, 'production/rollback', 'v1', b.digest),
      60_000,
      'B at every site',
    );
    await pushAgain(bed.hq, 'production/rollback', 'v1', a);
    await eventually(
      () => everywhere(bed.sites, 'production/rollback', 'v1', a.digest),
      60_000,
      'A again at every site',
    );
    assert.equal(deliveriesFor('production/rollback').length, 3, 'three pushes, three deliveries');
  });

  it('re-push – a digest deleted at HQ, then pushed again: deleted at the sites, then replicated again', async () => {
    const image = await pushImage({ registry: bed.hq }, 'production/redo', 'v1', { layerSizes: [1024] });
    await eventually(
      () => everywhere(bed.sites, 'production/redo', 'v1', image.digest),
      60_000,
      'the image at every site',
    );
    await rawDeleteManifest({ registry: bed.hq }, 'production/redo', image.digest);
    await eventually(
      () => everywhere(bed.sites, 'production/redo', 'v1', undefined),
      60_000,
      'the delete at every site',
    );
    await pushAgain(bed.hq, 'production/redo', 'v1', image);
    await eventually(
      () => everywhere(bed.sites, 'production/redo', 'v1', image.digest),
      60_000,
      'the re-push at every site',
    );
  });

  it('delete – an event for an artifact the source still has deletes nothing', async () => {
    const image = await pushImage({ registry: bed.hq }, 'production/still-there', 'v1', {
      layerSizes: [512],
    });
    await eventually(
      () => everywhere(bed.sites, 'production/still-there', 'v1', image.digest),
      60_000,
      'the image at every site',
    );
    const before = await runsOf(policies.changes!);
    // A delete event HQ never sent (a replayed or forged delivery with the right secret).
    const reply = await request(`${apiUrl()}/webhooks/registries/1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${webhookSecret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          {
            id: 'forged-delete',
            action: 'delete',
            target: { repository: 'production/still-there', digest: image.digest },
          },
        ],
      }),
    });
    assert.equal(reply.statusCode, 200);
    const [run] = ((await reply.body.json()) as { runs: string[] }).runs;
    await eventually(
      async () => (await runsOf(policies.changes!)) > before,
      20_000,
      'the delete run to start',
    );
    await regatta.client.workflow.getHandle(run!).result();
    const tasks = await regatta.tasks(run!);
    assert.deepEqual(
      tasks.tasks.map((task) => [task.status, task.outcome]),
      bed.sites.map(() => ['Succeed', 'kept_source_has_it']),
    );
    assert.match(tasks.tasks[0]!.note ?? '', /not deleted: the source has production\/still-there@sha256:/);
    assert.ok(
      await everywhere(bed.sites, 'production/still-there', 'v1', image.digest),
      'still at every site',
    );
  });

  it('redelivery – an event whose run failed is replicated when the registry delivers it again', async () => {
    const [, basic] = bed.sites;
    const image = await pushImage({ registry: bed.hq }, 'fragile/app', 'v1', { layerSizes: [1024] });
    const delivery = await eventually(
      async () => deliveriesFor('fragile/app').find((d) => d.status === 200),
      30_000,
      'the delivery',
    );
    const failed = await eventually(
      async () => {
        const reply = await session.call('GET', `/replication/executions?policy_id=${policies.fragile}`);
        const [execution] = reply.json as ExecutionView[];
        return execution && execution.status !== 'InProgress' ? execution : undefined;
      },
      60_000,
      'the run to end',
    );
    assert.equal(failed.status, 'Failed', 'the site refused the credentials');
    assert.equal(await digestAt(basic, 'fragile/app', 'v1'), undefined);
    // The credentials are fixed; the registry delivers the same event again.
    const fixed = await session.call('PUT', `/registries/${registries.fragile}`, {
      access_key: basic.credentials!.username,
      access_secret: basic.credentials!.password,
    });
    assert.equal(fixed.status, 200, fixed.text);
    const runs = await runsOf(policies.fragile!);
    const again = await redeliver(delivery);
    assert.equal(again.status, 200);
    await eventually(
      () => everywhere([basic], 'fragile/app', 'v1', image.digest),
      60_000,
      'the redelivered event at the site',
    );
    assert.equal(await runsOf(policies.fragile!), runs + 1, 'one new run');
  });

  it('duplicates – the same delivery sent again, at once or later, starts no second run', async () => {
    const image = await pushImage({ registry: bed.hq }, 'production/twice', 'v1', { layerSizes: [512] });
    const delivery = await eventually(
      async () => deliveriesFor('production/twice').find((d) => d.status === 200),
      30_000,
      'the delivery',
    );
    await eventually(
      () => everywhere(bed.sites, 'production/twice', 'v1', image.digest),
      60_000,
      'the image at every site',
    );
    // Described by its id (not listed, which may lag): a second run would have another run id.
    const run = regatta.client.workflow.getHandle(
      deliveredRunId(delivery, { id: policies.changes!, name: 'changes' }),
    );
    await run.result();
    const first = await run.describe();
    const runs = await runsOf(policies.changes!);
    const replies = await Promise.all([redeliver(delivery), redeliver(delivery), redeliver(delivery)]);
    const again = await redeliver(delivery);
    assert.deepEqual(
      [...replies, again].map((reply) => [reply.status, reply.json.runs]),
      Array.from({ length: 4 }, () => [200, [run.workflowId]]),
    );
    assert.equal((await run.describe()).runId, first.runId, 'no second run');
    assert.equal(await runsOf(policies.changes!), runs);
  });

  it('race – B pushed while A still uploads to a slow site: the site ends at B; A’s run says why it did not tag', async () => {
    const [plain] = bed.sites;
    const uploadedBefore = slow.bytesUp;
    const a = await pushImage({ registry: bed.hq }, 'racing/app', 'v1', { layerSizes: [3 * 1024 * 1024] });
    await eventually(
      async () => slow.bytesUp - uploadedBefore > 256 * 1024,
      30_000,
      'A to be uploading to the slow site',
    );
    const b = await pushImage({ registry: bed.hq }, 'racing/app', 'v1', { layerSizes: [64 * 1024] });
    const executions = await eventually(
      async () => {
        const reply = await session.call('GET', `/replication/executions?policy_id=${policies.race}`);
        const list = reply.json as ExecutionView[];
        return list.length === 2 && list.every((execution) => execution.status !== 'InProgress')
          ? list
          : undefined;
      },
      120_000,
      'both runs to end',
    );
    assert.equal(await digestAt(plain, 'racing/app', 'v1'), b.digest, 'the site ends at B');
    const byDigest = (digest: string) =>
      executions.find((execution) => execution.workflow_id.includes(digest.slice(7)))!;
    assert.equal(byDigest(b.digest).status, 'Succeed');
    const runOfA = byDigest(a.digest);
    assert.equal(runOfA.status, 'Succeed');
    const [task] = await session.allTasks(runOfA.id);
    assert.equal(task!.outcome, 'superseded');
    const log = await session.call('GET', `/replication/executions/${runOfA.id}/tasks/${task!.id}/log`);
    assert.match(log.text, new RegExp(`not tagged: the source's tag moved from ${a.digest} to ${b.digest}`));
  });
});
