import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { StartedApi } from '../../server/start-api.js';
import { policyIdKey, repositoryKey } from '../../contract/index.js';
import { deliveredRunId } from '../harness/delivered-run-id.js';
import { eventually } from '../harness/eventually.js';
import { harborRegistryBody } from '../harness/harbor-registry-body.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawDeleteManifest, rawGetManifest, sha256 } from '../harness/raw-client.js';
import {
  startRecordingProxy,
  type RecordedRequest,
  type RecordingProxy,
} from '../harness/recording-proxy.js';
import type { RegistryServer } from '../harness/registry-server.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

const webhookSecret = 'hq-webhook-secret-0123456789';

async function servedEverywhere(
  sites: RegistryServer[],
  repository: string,
  tag: string,
  image: PushedImage,
): Promise<boolean> {
  for (const site of sites) {
    const manifest = await rawGetManifest({ registry: site }, repository, tag);
    if (manifest.status !== 200 || sha256(manifest.bytes) !== image.digest) return false;
  }
  return true;
}

describe('webhooks', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  const admin = `Basic ${Buffer.from('admin:test-admin-password').toString('base64')}`;
  let hqId: number;
  let policyId: number;
  /** HQ's own deliveries, recorded on their way to the API. */
  let deliveries: RecordingProxy;

  async function call(method: 'POST' | 'PUT', path: string, body: unknown) {
    const response = await request(`${api.url}/api/v2.0${path}`, {
      method,
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.body.dump();
    return response;
  }

  async function deliver(
    body: string | object,
    headers: Record<string, string> = { authorization: `Bearer ${webhookSecret}` },
  ) {
    const response = await request(`${api.url}/webhooks/registries/${hqId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? JSON.parse(text) : undefined };
  }

  /** Event runs of the policy for pushes of repositories matching `repository`. */
  async function runCount(repository: RegExp): Promise<number> {
    let count = 0;
    for await (const run of regatta.client.workflow.list({ query: `${policyIdKey.name} = ${policyId}` }))
      if (repository.test(run.workflowId.split('/event/push/')[1] ?? '')) count++;
    return count;
  }

  /** The registry's own deliveries that carried the push of `repository:tag`, with their answers. */
  function deliveriesOf(repository: string, tag: string) {
    return deliveries.requests.filter((delivery) => {
      const body = JSON.parse(delivery.body.toString('utf8') || '{}') as {
        events?: Array<{ action: string; target: { repository: string; tag?: string } }>;
      };
      return (body.events ?? []).some(
        (event) =>
          event.action === 'push' && event.target.repository === repository && event.target.tag === tag,
      );
    });
  }

  const runIdOf = (delivery: RecordedRequest) =>
    deliveredRunId(delivery, { id: policyId, name: 'hq-events' });

  before(async () => {
    // Bound before the registry that notifies it starts; the API behind it, once started.
    deliveries = await startRecordingProxy(() => api.url);
    bed = await startTestBed({
      persistentTemporal: true,
      hqNotifications: [
        {
          name: 'regatta',
          url: `${deliveries.url}/webhooks/registries/1`,
          headers: { Authorization: [`Bearer ${webhookSecret}`] },
          ignoredmediatypes: ['application/octet-stream'],
        },
      ],
    });
    regatta = await startRegattaWorker(bed);
    api = await startRegattaApi(bed, regatta);
    const ids: number[] = [];
    for (const registry of [bed.hq, ...bed.sites]) {
      const response = await call(
        'POST',
        '/registries',
        harborRegistryBody(registry, registry === bed.hq ? { webhook_secret: webhookSecret } : {}),
      );
      assert.equal(response.statusCode, 201);
      ids.push(Number(String(response.headers.location).split('/').pop()));
    }
    hqId = ids[0]!;
    assert.equal(hqId, 1, 'HQ is registry 1, as its notification URL says');
    const policy = await call('POST', '/replication/policies', {
      name: 'hq-events',
      src_registry: { id: hqId },
      dest_registries: ids.slice(1).map((id) => ({ id })),
      trigger: { type: 'event_based' },
      filters: [{ type: 'name', value: 'production/**' }],
      deletion: true,
    });
    assert.equal(policy.statusCode, 201);
    policyId = Number(String(policy.headers.location).split('/').pop());
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await bed?.stop();
    await deliveries?.stop();
  });

  it('end to end – a push at HQ lands byte-identical at three sites through the registry’s own notifications', async () => {
    const image = await pushImage({ registry: bed.hq }, 'production/e2e', 'v1', { layerSizes: [4096, 1024] });
    await eventually(
      () => servedEverywhere(bed.sites, 'production/e2e', 'v1', image),
      30_000,
      'the push to reach every site',
    );
    for (const site of bed.sites) {
      for (const [digest, bytes] of image.blobs) {
        const blob = await request(`${site.url}/v2/production/e2e/blobs/${digest}`, {
          dispatcher: site.dispatcher,
          headers: site.credentials
            ? {
                authorization: `Basic ${Buffer.from(`${site.credentials.username}:${site.credentials.password}`).toString('base64')}`,
              }
            : {},
        });
        assert.ok(Buffer.from(await blob.body.arrayBuffer()).equals(bytes));
      }
    }
  });

  it('filters – a push under staging/ lands nowhere and starts no run', async () => {
    const image = await pushImage({ registry: bed.hq }, 'staging/e2e', 'v1', { layerSizes: [512] });
    const reply = await deliver({
      events: [
        {
          action: 'push',
          target: { mediaType: image.mediaType, repository: 'staging/e2e', tag: 'v1', digest: image.digest },
        },
      ],
    });
    assert.equal(reply.status, 202);
    // The registry's own delivery of the push, answered: the API has decided on it by then.
    const answered = await eventually(
      async () => deliveriesOf('staging/e2e', 'v1').find((delivery) => delivery.status === 202),
      30_000,
      'the registry’s own delivery of the staging push to be answered',
    );
    const wouldBe = runIdOf(answered);
    await assert.rejects(regatta.client.workflow.getHandle(wouldBe).describe(), {
      name: 'WorkflowNotFoundError',
    });
    assert.equal(await runCount(/^staging\//), 0);
    for (const site of bed.sites)
      assert.equal((await rawGetManifest({ registry: site }, 'staging/e2e', 'v1')).status, 404);
  });

  it('burst – 500 deliveries of HQ’s own 50 push notifications, sent again: every artifact replicated, one run each', async () => {
    const images: Array<{ repository: string; image: PushedImage }> = [];
    for (let index = 0; index < 50; index++) {
      const repository = `production/burst-${index}`;
      images.push({
        repository,
        image: await pushImage({ registry: bed.hq }, repository, 'v1', { layerSizes: [256] }),
      });
    }
    const burstRuns = () => runCount(/^production\/burst-\d+:/);
    await eventually(
      async () => (await burstRuns()) >= 50,
      60_000,
      'the registry’s own deliveries to start their runs',
    );
    assert.equal(await burstRuns(), 50, 'one run per distinct (policy, artifact, action)');
    // What HQ sent for these pushes, each sent again ten times, interleaved: true duplicates. A
    // delivery HQ itself sent twice (its own retry, when an answer was slow) counts once.
    const byEvent = new Map<string, (typeof deliveries.requests)[number]>();
    for (const delivery of deliveries.requests) {
      const { events = [] } = JSON.parse(delivery.body.toString('utf8')) as {
        events?: Array<{ id: string; action: string; target: { repository: string; tag?: string } }>;
      };
      const push = events.find(
        (event) =>
          event.action === 'push' &&
          event.target.tag &&
          event.target.repository.startsWith('production/burst-'),
      );
      if (push && !byEvent.has(push.id)) byEvent.set(push.id, delivery);
    }
    const sent = [...byEvent.values()];
    assert.equal(sent.length, 50, 'one push event per push');
    // Each run described by its id (not listed, which may lag): a new run would have another run id.
    const runIdsNow = () =>
      Promise.all(
        sent.map(
          async (delivery) => (await regatta.client.workflow.getHandle(runIdOf(delivery)).describe()).runId,
        ),
      );
    const firstRuns = await runIdsNow();
    const burst = Array.from({ length: 500 }, (_, index) => sent[(index * 7) % 50]!);
    for (let start = 0; start < burst.length; start += 25) {
      const replies = await Promise.all(
        burst.slice(start, start + 25).map((delivery) => deliver(delivery.body.toString('utf8'))),
      );
      assert.ok(replies.every((reply) => reply.status === 200));
    }
    assert.deepEqual(await runIdsNow(), firstRuns, 'duplicate deliveries start no new run');
    assert.equal(await burstRuns(), 50);
    for (const { repository, image } of images) {
      await eventually(
        () => servedEverywhere(bed.sites, repository, 'v1', image),
        60_000,
        `${repository} at every site`,
      );
    }
  });

  it('Temporal down – /readyz and the registry’s own delivery get 503; its redelivery after recovery starts one run', async () => {
    await bed.temporal!.stop();
    let image: PushedImage;
    try {
      const ready = await request(`${api.url}/readyz`);
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(await ready.body.json(), { status: 'not ready', temporal: false });
      image = await pushImage({ registry: bed.hq }, 'production/outage', 'v1', { layerSizes: [2048] });
      // The registry delivers the push itself; the API refuses it while it cannot start the run.
      await eventually(
        async () =>
          deliveriesOf('production/outage', 'v1').filter((delivery) => delivery.status === 503).length >= 2,
        30_000,
        'the registry’s delivery to be refused twice',
      );
      assert.ok(deliveriesOf('production/outage', 'v1').every((delivery) => delivery.status === 503));
    } finally {
      await bed.temporal!.start();
    }
    const accepted = await eventually(
      async () => deliveriesOf('production/outage', 'v1').find((delivery) => delivery.status === 200),
      90_000,
      'the registry’s redelivery to be accepted',
    );
    await eventually(
      () => servedEverywhere(bed.sites, 'production/outage', 'v1', image),
      90_000,
      'the redelivered push to reach every site',
    );
    const runs = async () => {
      const ids: string[] = [];
      for await (const run of regatta.client.workflow.list({
        query: `${repositoryKey.name} = 'production/outage'`,
      }))
        ids.push(run.workflowId);
      return ids;
    };
    await eventually(async () => (await runs()).length > 0, 10_000, 'the run to be listed');
    assert.deepEqual(await runs(), [runIdOf(accepted)]);
    assert.equal((await request(`${api.url}/readyz`)).statusCode, 200);
  });

  it('Harbor payloads – Default and CloudEvents pushes replicate like Distribution’s', async () => {
    const pushes = [
      { repository: 'production/harbor-default', cloud: false },
      { repository: 'production/harbor-cloud', cloud: true },
    ];
    for (const { repository, cloud } of pushes) {
      const image = await pushImage({ registry: bed.hq }, repository, '1.0', { layerSizes: [1024] });
      const data = {
        resources: [{ digest: image.digest, tag: '1.0', resource_url: `hq/${repository}:1.0` }],
        repository: {
          name: repository.split('/')[1],
          namespace: 'production',
          repo_full_name: repository,
          repo_type: 'private',
        },
      };
      const body = cloud
        ? {
            specversion: '1.0',
            id: repository,
            source: '/projects/1/webhook/policies/1',
            type: 'harbor.artifact.pushed',
            datacontenttype: 'application/json',
            data,
          }
        : { type: 'PUSH_ARTIFACT', occur_at: 1_700_000_000, operator: 'admin', event_data: data };
      const reply = await deliver(body, { authorization: webhookSecret, 'content-type': 'application/json' });
      assert.equal(reply.status, 200);
      await eventually(
        () => servedEverywhere(bed.sites, repository, '1.0', image),
        30_000,
        `${repository} at every site`,
      );
    }
  });

  it('deletion – a delete at HQ removes the artifact at the sites, but not where the tag now points elsewhere', async () => {
    const image = await pushImage({ registry: bed.hq }, 'production/doomed', 'v1', { layerSizes: [1024] });
    await eventually(
      () => servedEverywhere(bed.sites, 'production/doomed', 'v1', image),
      30_000,
      'the image at every site',
    );
    const moved = bed.sites[1];
    const newer = await pushImage({ registry: moved }, 'production/doomed', 'v1', { layerSizes: [777] });
    // A delete is acted on only once the source confirms it: HQ deletes it, then (besides HQ's own
    // notification) Harbor's payload for the same delete arrives.
    await rawDeleteManifest({ registry: bed.hq }, 'production/doomed', image.digest);
    const data = {
      resources: [{ digest: image.digest, tag: 'v1', resource_url: 'hq/production/doomed:v1' }],
      repository: { name: 'doomed', namespace: 'production', repo_full_name: 'production/doomed' },
    };
    const reply = await deliver({
      type: 'DELETE_ARTIFACT',
      occur_at: 1,
      operator: 'admin',
      event_data: data,
    });
    assert.equal(reply.status, 200);
    for (const site of [bed.sites[0], bed.sites[2]]) {
      await eventually(
        async () => (await rawGetManifest({ registry: site }, 'production/doomed', 'v1')).status === 404,
        30_000,
        `delete at ${site.name}`,
      );
    }
    const kept = await rawGetManifest({ registry: moved }, 'production/doomed', 'v1');
    assert.equal(kept.status, 200);
    assert.equal(sha256(kept.bytes), newer.digest);
  });

  it('bad deliveries – 4xx, no run started, no crash', async () => {
    const target = (repository: unknown, extra: object = {}) => ({
      events: [
        {
          action: 'push',
          target: {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            repository,
            tag: 'v1',
            digest: `sha256:${'d'.repeat(64)}`,
            ...extra,
          },
        },
      ],
    });
    const cases: Array<[string, string | object, number, Record<string, string>?]> = [
      ['truncated JSON', '{"events": [{"action": "push", "tar', 400],
      ['wrong types', { events: 'lots' }, 400],
      ['path traversal ../x', target('../x'), 400],
      ['path traversal a/../../b', target('a/../../b'), 400],
      ['production/../../etc', target('production/../../etc'), 400],
      ['bad digest', target('production/x', { digest: 'sha256:zz' }), 400],
      ['repository not a string', target(42), 400],
      ['huge body', { events: [], padding: 'x'.repeat(2 * 1024 * 1024) }, 413],
      ['unknown shape', { hello: 'world' }, 400],
      ['no secret', target('production/x'), 401, {}],
      ['wrong secret', target('production/x'), 401, { authorization: 'Bearer nope' }],
    ];
    for (const [name, body, status, headers] of cases) {
      const reply = await deliver(body, headers);
      assert.equal(reply.status, status, name);
      assert.ok(Array.isArray(reply.json?.errors), `${name}: Harbor's error body`);
    }
    const unknownRegistry = await request(`${api.url}/webhooks/registries/999`, {
      method: 'POST',
      headers: { authorization: `Bearer ${webhookSecret}` },
      body: '{}',
    });
    assert.equal(unknownRegistry.statusCode, 401);
    await unknownRegistry.body.dump();
    assert.equal(await runCount(/^production\/x:/), 0);
    assert.equal((await request(`${api.url}/healthz`)).statusCode, 200);
  });
});
