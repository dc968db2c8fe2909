import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { policyIdKey } from '../../contract/index.js';
import type { StartedApi } from '../../server/start-api.js';
import { eventually } from '../harness/eventually.js';
import { freePort } from '../harness/free-port.js';
import { harborRegistryBody } from '../harness/harbor-registry-body.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawDeleteManifest, rawGetManifest, sha256 } from '../harness/raw-client.js';
import { startRecordingProxy, type RecordingProxy } from '../harness/recording-proxy.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

const webhookSecret = 'hq3-webhook-secret-0123456789';

/** What a registry's notifications said, as they reached the API. */
interface Delivered {
  contentType: string;
  status: number;
  events: Array<{ action: string; target: { repository: string; tag?: string; digest?: string } }>;
}

describe('webhooks from Distribution 3 (its envelope, its tag deletes) to 2.8 and 3.x sites', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  let deliveries: RecordingProxy;
  let policyId: number;

  const delivered = (): Delivered[] =>
    deliveries.requests.map((delivery) => ({
      contentType: String(delivery.headers['content-type']),
      status: delivery.status,
      events: (JSON.parse(delivery.body.toString('utf8')) as Pick<Delivered, 'events'>).events,
    }));
  const served = async (repository: string, tag: string, image: PushedImage) => {
    for (const site of bed.sites) {
      const manifest = await rawGetManifest({ registry: site }, repository, tag);
      if (manifest.status !== 200 || sha256(manifest.bytes) !== image.digest) return false;
    }
    return true;
  };
  const goneEverywhere = async (repository: string, tag: string) => {
    for (const site of bed.sites)
      if ((await rawGetManifest({ registry: site }, repository, tag)).status !== 404) return false;
    return true;
  };

  before(async () => {
    const apiPort = await freePort();
    deliveries = await startRecordingProxy(() => `http://127.0.0.1:${apiPort}`);
    bed = await startTestBed({
      hqDistribution: 3,
      hqNotifications: [
        {
          name: 'regatta',
          url: `${deliveries.url}/webhooks/registries/1`,
          headers: { Authorization: [`Bearer ${webhookSecret}`] },
          ignoredmediatypes: ['application/octet-stream'],
        },
      ],
    });
    assert.equal(bed.hq.distribution, 3);
    regatta = await startRegattaWorker(bed);
    api = await startRegattaApi(bed, regatta, apiPort);
    const hq = await regatta.store.registries.create({
      ...harborRegistryBody(bed.hq, { webhook_secret: webhookSecret }),
      type: 'docker-registry',
    } as never);
    assert.equal(hq.id, 1, 'HQ is registry 1, as its notification URL says');
    const sites = [];
    for (const site of bed.sites) sites.push({ id: await regatta.addRegistry(site) });
    const policy = await regatta.createPolicy({
      name: 'hq3-events',
      src_registry: { id: hq.id },
      dest_registries: sites,
      trigger: { type: 'event_based' },
      filters: [{ type: 'name', value: 'production/**' }],
      deletion: true,
    });
    policyId = policy.id;
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await bed?.stop();
    await deliveries?.stop();
  });

  it('push – the v2 envelope of a 3.x HQ lands the image byte-identical at every site', async () => {
    const image = await pushImage({ registry: bed.hq }, 'production/three', 'v1', {
      layerSizes: [4096, 512],
    });
    await eventually(() => served('production/three', 'v1', image), 30_000, 'the push at every site');
    const pushes = delivered().filter((delivery) =>
      delivery.events.some((event) => event.action === 'push' && event.target.tag === 'v1'),
    );
    assert.ok(pushes.length >= 1);
    for (const push of pushes) {
      assert.match(push.contentType, /application\/vnd\.docker\.distribution\.events\.v2\+json/);
      assert.ok(push.status >= 200 && push.status < 300, `answered ${push.status}`);
    }
  });

  it('delete – a manifest deleted at a 3.x HQ (a digest delete and a tag delete notified) is deleted at every site', async () => {
    const image = await pushImage({ registry: bed.hq }, 'production/doomed3', 'v1', { layerSizes: [1024] });
    await eventually(() => served('production/doomed3', 'v1', image), 30_000, 'the image at every site');
    await rawDeleteManifest({ registry: bed.hq }, 'production/doomed3', image.digest);
    await eventually(() => goneEverywhere('production/doomed3', 'v1'), 30_000, 'the delete at every site');
    const deletes = delivered().flatMap((delivery) =>
      delivery.events
        .filter((event) => event.action === 'delete' && event.target.repository === 'production/doomed3')
        .map((event) => ({ ...event.target, status: delivery.status })),
    );
    // 3.x notifies the manifest (by digest) and each of its tags (by name): both are accepted.
    assert.ok(deletes.some((target) => target.digest === image.digest && !target.tag));
    assert.ok(deletes.some((target) => target.tag === 'v1' && !target.digest));
    assert.ok(deletes.every((target) => target.status >= 200 && target.status < 300));
  });

  it('tag delete – a tag deleted alone at a 3.x HQ is accepted; the sites keep the tag, the task says why', async () => {
    const image = await pushImage({ registry: bed.hq }, 'production/untag', 'v1', { layerSizes: [1024] });
    await eventually(() => served('production/untag', 'v1', image), 30_000, 'the image at every site');
    const response = await request(`${bed.hq.url}/v2/production/untag/manifests/v1`, {
      method: 'DELETE',
      headers: {
        authorization: `Basic ${Buffer.from(`${bed.hq.credentials!.username}:${bed.hq.credentials!.password}`).toString('base64')}`,
      },
      dispatcher: bed.hq.dispatcher,
    });
    await response.body.dump();
    assert.equal(response.statusCode, 202, 'Distribution 3 deletes a tag alone');
    const run = await eventually(
      async () => {
        for await (const workflow of regatta.client.workflow.list({
          query: `${policyIdKey.name} = ${policyId}`,
        })) {
          if (
            workflow.workflowId.includes('/event/delete/production/untag:v1@/') &&
            workflow.status.name === 'COMPLETED'
          )
            return workflow.workflowId;
        }
        return undefined;
      },
      30_000,
      'the tag delete run to end',
    );
    const tasks = (await regatta.tasks(run, { limit: 10 })).tasks;
    assert.equal(tasks.length, 3);
    for (const task of tasks) {
      assert.equal(task.outcome, 'kept');
      assert.match(task.note ?? '', /named a tag, no digest/);
    }
    assert.ok(await served('production/untag', 'v1', image), 'every site keeps the tag');
  });
});
