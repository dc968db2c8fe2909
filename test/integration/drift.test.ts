import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { toDriftView } from '../../api/drift-view.js';
import type { StartedApi } from '../../server/start-api.js';
import { driftScheduleId } from '../../service/run-identity.js';
import type { DriftReport } from '../../contract/index.js';
import { apiSession, type ApiSession } from '../harness/api-session.js';
import { eventually } from '../harness/eventually.js';
import { harborRegistryBody } from '../harness/harbor-registry-body.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawDeleteManifest } from '../harness/raw-client.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import type { RegistryServer } from '../harness/registry-server.js';
import { samplesOf } from '../harness/prometheus-text.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { scrape, serveWorkerMetrics } from '../harness/worker-metrics.js';

type DriftView = ReturnType<typeof toDriftView>;
const webhookSecret = 'drift-test-webhook-secret-0123';

/** Where Distribution's filesystem driver keeps a blob's bytes. */
function blobDataPath(registry: RegistryServer, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return join(registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}

describe('drift audit', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  let session: ApiSession;
  let hqId: number;
  let siteIds: number[];
  let workerMetrics: string;

  /** One policy's audit; each case has a policy and a namespace of its own. */
  async function drift(policyId: number, verify?: string): Promise<DriftView> {
    const reply = await session.call(
      'GET',
      `/replication/policies/${policyId}/drift${verify ? `?verify=${verify}` : ''}`,
    );
    assert.equal(reply.status, 200, reply.text);
    return reply.json as DriftView;
  }
  const site = (view: DriftView, registry: RegistryServer) =>
    view.destinations.find((d) => d.name === registry.name)!;
  const tags = (entries: Array<{ repository: string; tag: string }>) =>
    entries.map((entry) => `${entry.repository}:${entry.tag}`).sort();

  /**
   * A mirror of `<prefix>/**` from HQ to two sites, run once: HQ holds `<prefix>/app` a, b, c, d
   * and `<prefix>/lib:v1`, and so does each site.
   */
  async function driftCase(prefix: string) {
    const hq = new Map<string, PushedImage>();
    for (const tag of ['a', 'b', 'c', 'd'])
      hq.set(tag, await pushImage({ registry: bed.hq }, `${prefix}/app`, tag, { layerSizes: [3000] }));
    hq.set('lib', await pushImage({ registry: bed.hq }, `${prefix}/lib`, 'v1', { layerSizes: [2000] }));
    const policy = await regatta.createPolicy({
      name: `${prefix}-drift`,
      src_registry: { id: hqId },
      dest_registries: siteIds.map((id) => ({ id })),
      filters: [{ type: 'name', value: `${prefix}/**` }],
      mirror: { prune: true, max_delete_ratio: 0.5, protect: [] },
    });
    const first = await session.finishedExecution(
      await session.createdId('/replication/executions', { policy_id: policy.id }),
    );
    assert.equal(first.status, 'Succeed', first.status_text);
    return { hq, policy };
  }

  before(async () => {
    workerMetrics = await serveWorkerMetrics();
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed);
    api = await startRegattaApi(bed, regatta);
    session = apiSession(api.url);
    hqId = (
      await regatta.store.registries.create({
        ...harborRegistryBody(bed.hq, { webhook_secret: webhookSecret }),
        name: 'hq',
      })
    ).id;
    siteIds = [await regatta.addRegistry(bed.sites[0]), await regatta.addRegistry(bed.sites[1])];
    await pushImage({ registry: bed.hq }, 'staging/app', 'v1', { layerSizes: [100] });
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await bed?.stop();
  });

  it('in sync – right after a run, every destination has zero drift', async () => {
    const { policy } = await driftCase('insync');
    const view = await drift(policy.id);
    assert.equal(view.source_tags, 5);
    assert.equal(view.in_sync, true);
    for (const destination of view.destinations) {
      assert.deepEqual(
        [destination.missing, destination.different, destination.extra, destination.recovery_point_seconds],
        [0, 0, 0, 0],
      );
    }
  });

  it('numbers – missing, different and extra per destination, and the recovery point from the push time', async () => {
    const { hq, policy } = await driftCase('numbers');
    const [site0, site1] = [bed.sites[0], bed.sites[1]];
    // At the first site: b lost, c overwritten with another image, an extra tag; out-of-scope junk.
    await rawDeleteManifest({ registry: site0 }, 'numbers/app', hq.get('b')!.digest);
    await pushImage({ registry: site0 }, 'numbers/app', 'c', { layerSizes: [10] });
    await pushImage({ registry: site0 }, 'numbers/app', 'extra', { layerSizes: [10] });
    await pushImage({ registry: site0 }, 'staging/app', 'junk', { layerSizes: [10] });
    // At HQ: a new tag e, which the registry said it received ten minutes ago.
    hq.set('e', await pushImage({ registry: bed.hq }, 'numbers/app', 'e', { layerSizes: [3000] }));
    const pushedAt = new Date(Date.now() - 600_000).toISOString();
    const delivery = await fetch(`${api.url}/webhooks/registries/${hqId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${webhookSecret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          {
            id: '1',
            timestamp: pushedAt,
            action: 'push',
            target: {
              mediaType: hq.get('e')!.mediaType,
              repository: 'numbers/app',
              digest: hq.get('e')!.digest,
              tag: 'e',
            },
          },
        ],
      }),
    });
    assert.equal(delivery.status, 202, await delivery.text());

    const view = await drift(policy.id);
    assert.equal(view.source_tags, 6);
    assert.equal(view.in_sync, false);
    const first = site(view, site0);
    assert.deepEqual([first.missing, first.different, first.extra], [2, 1, 1]);
    assert.deepEqual(tags(first.samples.missing), ['numbers/app:b', 'numbers/app:e']);
    assert.deepEqual(tags(first.samples.different), ['numbers/app:c']);
    assert.equal(first.samples.different[0]!.source_digest, hq.get('c')!.digest);
    assert.notEqual(first.samples.different[0]!.destination_digest, hq.get('c')!.digest);
    assert.deepEqual(tags(first.samples.extra), ['numbers/app:extra']);
    const second = site(view, site1);
    assert.deepEqual([second.missing, second.different, second.extra], [1, 0, 0]);
    for (const destination of [first, second]) {
      assert.equal(destination.oldest_pending_change, pushedAt);
      assert.ok(
        destination.recovery_point_seconds >= 600 && destination.recovery_point_seconds < 700,
        `recovery point ${destination.recovery_point_seconds}`,
      );
    }
    // The same figures as gauges on the worker's metrics endpoint.
    const gauge = async (name: string, labels: Record<string, string>) =>
      eventually(
        async () => {
          const found = samplesOf(await scrape(workerMetrics), name, { policy: policy.name, ...labels });
          return found.length === 1 ? found[0]!.value : undefined;
        },
        10_000,
        `${name} ${JSON.stringify(labels)}`,
      );
    for (const [kind, value] of Object.entries({ missing: 2, different: 1, extra: 1, unservable: 0 }))
      assert.equal(await gauge('regatta_drift_artifacts', { destination: site0.name, kind }), value, kind);
    assert.equal(await gauge('regatta_drift_artifacts', { destination: site1.name, kind: 'missing' }), 1);
    const exported = await gauge('regatta_recovery_point_seconds', { destination: site1.name });
    assert.ok(exported >= 600 && exported < 700, `exported recovery point ${exported}`);
  });

  it('recovery – one mirror run brings drift back to zero', async () => {
    const { hq, policy } = await driftCase('recovery');
    await rawDeleteManifest({ registry: bed.sites[0] }, 'recovery/app', hq.get('b')!.digest);
    await pushImage({ registry: bed.sites[1] }, 'recovery/app', 'c', { layerSizes: [10] });
    const drifted = await drift(policy.id);
    assert.deepEqual(
      drifted.destinations.map((destination) => [destination.missing, destination.different]),
      [
        [1, 0],
        [0, 1],
      ],
    );
    const run = await session.finishedExecution(
      await session.createdId('/replication/executions', { policy_id: policy.id }),
    );
    assert.equal(run.status, 'Succeed', run.status_text);
    const view = await drift(policy.id);
    assert.equal(view.in_sync, true, JSON.stringify(view.destinations));
    for (const destination of view.destinations) assert.equal(destination.recovery_point_seconds, 0);
  });

  it('verify – head finds a lost blob, deep also a corrupted one; a plain audit sees neither', async () => {
    const { hq, policy } = await driftCase('verify');
    const site1 = bed.sites[1];
    const lostLayer = [...hq.get('d')!.blobs.keys()].find(
      (digest) => hq.get('d')!.blobs.get(digest)!.length === 3000,
    )!;
    rmSync(blobDataPath(site1, lostLayer));
    const corruptLayer = [...hq.get('a')!.blobs.keys()].find(
      (digest) => hq.get('a')!.blobs.get(digest)!.length === 3000,
    )!;
    const path = blobDataPath(site1, corruptLayer);
    writeFileSync(path, randomBytes(readFileSync(path).length));

    assert.equal(site(await drift(policy.id), site1).unservable, 0);
    const head = site(await drift(policy.id, 'head'), site1);
    assert.equal(head.verified, 5);
    assert.deepEqual(
      head.samples.unservable.map((entry) => [
        `${entry.repository}:${entry.tag}`,
        entry.problems.map((p) => [p.code, p.digest]),
      ]),
      [['verify/app:d', [['REGISTRY_BLOB_UNKNOWN', lostLayer]]]],
    );
    const deep = site(await drift(policy.id, 'deep'), site1);
    assert.deepEqual(
      deep.samples.unservable
        .map((entry) => [`${entry.repository}:${entry.tag}`, entry.problems.map((p) => p.code)])
        .sort(),
      [
        ['verify/app:a', ['DIGEST_MISMATCH']],
        ['verify/app:d', ['REGISTRY_BLOB_UNKNOWN']],
      ],
    );
    assert.equal(site(await drift(policy.id, 'deep'), bed.sites[0]).unservable, 0);
  });

  it('schedule – drift_audit on a policy keeps a Temporal Schedule of audits; removing it removes the schedule', async () => {
    const policyId = (await driftCase('scheduled')).policy.id;
    const policy = (await session.call('GET', `/replication/policies/${policyId}`)).json as Record<
      string,
      unknown
    >;
    const badCron = await session.call('PUT', `/replication/policies/${policyId}`, {
      ...policy,
      drift_audit: { cron: '* * * * *' },
    });
    assert.equal(badCron.status, 400);
    assert.match(badCron.text, /drift_audit\.cron/);

    const put = await session.call('PUT', `/replication/policies/${policyId}`, {
      ...policy,
      drift_audit: { cron: '0 */15 * * * *', verify: 'head' },
    });
    assert.equal(put.status, 200, put.text);
    const stored = (await session.call('GET', `/replication/policies/${policyId}`)).json as Record<
      string,
      unknown
    >;
    assert.deepEqual(stored.drift_audit, { cron: '0 */15 * * * *', verify: 'head' });
    const schedule = regatta.client.schedule.getHandle(driftScheduleId(policyId));
    const described = await schedule.describe();
    assert.deepEqual(described.spec.calendars?.[0]?.minute, [{ start: 0, end: 59, step: 15 }]);
    assert.equal(described.action.type, 'startWorkflow');
    assert.equal(described.action.type === 'startWorkflow' && described.action.workflowType, 'driftAudit');

    // Triggered now, the schedule runs a real audit to completion.
    await schedule.trigger();
    const report = await eventually(
      async () => {
        const recent = (await schedule.describe()).info.recentActions;
        const started = recent[recent.length - 1]?.action.workflow;
        assert.ok(started, 'the schedule started no audit yet');
        return regatta.client.workflow.getHandle(started.workflowId).result() as Promise<DriftReport>;
      },
      60_000,
      'a scheduled drift audit',
    );
    assert.equal(report.verify, 'head');
    assert.equal(report.destinations.length, 2);

    const { drift_audit: _, ...without } = stored;
    assert.equal((await session.call('PUT', `/replication/policies/${policyId}`, without)).status, 200);
    await assert.rejects(schedule.describe());
  });

  it('openapi – the document lists executions (with dry_run) and drift', async () => {
    const document = (await session.call('GET', '/openapi.json')).json as {
      paths: Record<
        string,
        { post?: { requestBody: { content: Record<string, { schema: { properties: object } }> } } }
      >;
    };
    assert.ok(document.paths['/replication/policies/{id}/drift']);
    const start = document.paths['/replication/executions']!.post!.requestBody.content['application/json']!;
    assert.deepEqual(Object.keys(start.schema.properties).sort(), ['dry_run', 'policy_id']);
  });

  it('bad input – an unknown verify mode is a 400 naming the parameter; an unknown policy a 404', async () => {
    const { id: policyId } = await regatta.createPolicy({
      name: 'bad-input-drift',
      src_registry: { id: hqId },
      dest_registries: siteIds.map((id) => ({ id })),
    });
    const bad = await session.call('GET', `/replication/policies/${policyId}/drift?verify=everything`);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /verify: must be one of off, head, deep/);
    assert.equal((await session.call('GET', '/replication/policies/9999/drift')).status, 404);
  });
});
