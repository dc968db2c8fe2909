// The store (PostgreSQL) stopped for 60 s while a run copies: the run waits and completes once it
// is back; a push at HQ meanwhile is refused 503 to the registry's notifications, which deliver it
// again until the store is back and its run starts. Real PostgreSQL, Temporal, registries, API
// and worker.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { pageTasksQuery, runStatusQuery } from '../../contract/index.js';
import type { StartedApi } from '../../server/start-api.js';
import { manualRunId } from '../../service/run-identity.js';
import { startReplicationRun } from '../../service/start-replication-run.js';
import { deliveredRunId } from '../harness/delivered-run-id.js';
import { eventually } from '../harness/eventually.js';
import { harborRegistryBody } from '../harness/harbor-registry-body.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { startTestPostgres, type TestPostgres } from '../harness/postgres-server.js';
import { rawGetManifest, sha256 } from '../harness/raw-client.js';
import { startRecordingProxy, type RecordingProxy } from '../harness/recording-proxy.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { runOutcome } from '../harness/run-outcome.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { within } from '../harness/within.js';

const webhookSecret = 'hq-webhook-secret-outage-0123';

describe('store outage – PostgreSQL stopped mid-run', () => {
  let bed: TestBed;
  let postgres: TestPostgres;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  /** HQ's notifications on their way to the API, with the API's answers. */
  let deliveries: RecordingProxy;
  const ids: Record<string, number> = {};

  before(async () => {
    // Bound before HQ, which notifies it; the API behind it once started.
    deliveries = await startRecordingProxy(() => api.url);
    [bed, postgres] = await Promise.all([
      startTestBed({
        hqNotifications: [
          {
            name: 'regatta',
            url: `${deliveries.url}/webhooks/registries/1`,
            headers: { Authorization: [`Bearer ${webhookSecret}`] },
            ignoredmediatypes: ['application/octet-stream'],
            backoff: '1s',
          },
        ],
      }),
      startTestPostgres(),
    ]);
    regatta = await startRegattaWorker(bed, { environment: { DATABASE_URL: postgres.url } });
    api = await startRegattaApi(bed, regatta);
    const hq = await regatta.store.registries.create({
      ...harborRegistryBody(bed.hq, { webhook_secret: webhookSecret }),
      name: bed.hq.name,
    });
    ids.hq = hq.id;
    assert.equal(ids.hq, 1, 'HQ is registry 1, as its notification URL says');
    for (const site of bed.sites) ids[site.name] = await regatta.addRegistry(site);
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await postgres?.stop();
    await bed?.stop();
    await deliveries?.stop();
  });

  /** HQ's deliveries that carried the push of `repository:tag`, in the order they were answered. */
  const deliveriesOf = (repository: string, tag: string) =>
    deliveries.requests.filter((delivery) => {
      const body = JSON.parse(delivery.body.toString('utf8') || '{}') as {
        events?: Array<{ action: string; target: { repository: string; tag?: string } }>;
      };
      return (body.events ?? []).some(
        (event) =>
          event.action === 'push' && event.target.repository === repository && event.target.tag === tag,
      );
    });

  it('60 s without the store: the run waits and completes; a push meanwhile is refused 503 and delivered again until its run starts', async () => {
    const images = await Promise.all(
      ['v1', 'v2', 'v3'].map((tag) =>
        pushImage({ registry: bed.hq }, 'production/outage', tag, { layerSizes: [1024 * 1024] }),
      ),
    );
    const policy = await regatta.createPolicy({
      name: 'store-outage',
      src_registry: { id: ids.hq },
      dest_registries: bed.sites.map((site) => ({ id: ids[site.name] })),
      filters: [{ type: 'name', value: 'production/outage' }],
      speed: 256, // KiB/s for the run: the copies are still going when the store stops
    });
    const events = await regatta.createPolicy({
      name: 'store-outage-events',
      src_registry: { id: ids.hq },
      dest_registries: [{ id: ids[bed.sites[0].name] }],
      trigger: { type: 'event_based' },
      filters: [{ type: 'name', value: 'production/outage-event' }],
    });
    const handle = await startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(policy, new Date(), 'store'),
      policy,
      trigger: 'manual',
    });
    await eventually(
      async () => (await handle.query(pageTasksQuery)).tasks.some((task) => task.status === 'InProgress'),
      30_000,
      'the copy to start',
    );
    await postgres.halt();
    const downAt = Date.now();
    let pushed: PushedImage | undefined;
    const sinceHalt = deliveries.requests.length;
    /** HQ's deliveries answered while the store was down. */
    const refused = () => deliveries.requests.slice(sinceHalt);
    let restartedAt = 0;
    // Back whatever the checks below find: a run waiting for the store would hold its worker's stop.
    try {
      // A push while the store is down: HQ's notifications (its queue, in order) are refused 503
      // and delivered again, and no run can start until the store is back.
      pushed = await pushImage({ registry: bed.hq }, 'production/outage-event', 'v1', {
        layerSizes: [4096],
      });
      await eventually(async () => refused().length >= 2, 30_000, 'HQ to deliver again after a refusal');
      await sleep(60_000 - (Date.now() - downAt));
      const during = await handle.query(runStatusQuery);
      assert.equal(during.summary.status, 'InProgress', 'the run waits for the store');
      const answered = refused();
      assert.deepEqual(new Set(answered.map((delivery) => delivery.status)), new Set([503]));
      const { hostname, port } = new URL(postgres.url);
      for (const delivery of answered) {
        const answer = delivery.answer.toString('utf8');
        assert.equal(JSON.parse(answer).errors[0].code, 'SERVICE_UNAVAILABLE');
        assert.ok(!answer.includes(`${hostname}:${port}`), `the answer names no database: ${answer}`);
      }
    } finally {
      restartedAt = Date.now();
      await postgres.restart();
    }

    const summary = await within(runOutcome(handle), 240_000, 'the run to end once the store is back');
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.equal(summary.counts.succeed, 9);
    assert.ok(Date.now() - downAt >= 60_000);
    for (const site of bed.sites)
      for (const [index, image] of images.entries()) {
        const manifest = await rawGetManifest({ registry: site }, 'production/outage', `v${index + 1}`);
        assert.equal(sha256(manifest.bytes), image.digest, `${site.name} has v${index + 1}`);
      }
    // What the run kept is in the store once it is back.
    const record = await regatta.store.executions.getByWorkflowId(handle.workflowId);
    assert.equal(record?.result?.summary.status, 'Succeed');

    // The registry's delivery of the push is taken once the store is back and starts its run.
    const taken = await eventually(
      async () => deliveriesOf('production/outage-event', 'v1').find((delivery) => delivery.status === 200),
      60_000,
      'HQ to deliver the push once the store is back',
    );
    const eventRunId = deliveredRunId(taken, events);
    const started = (await regatta.client.workflow.getHandle(eventRunId).describe()).startTime;
    assert.ok(started.getTime() >= restartedAt, 'the run of the push started once the store was back');
    const eventRun = await within(
      runOutcome(regatta.client.workflow.getHandle(eventRunId)),
      60_000,
      'the delivered push to be replicated',
    );
    assert.equal(eventRun.status, 'Succeed', eventRun.statusText);
    const manifest = await rawGetManifest({ registry: bed.sites[0] }, 'production/outage-event', 'v1');
    assert.equal(sha256(manifest.bytes), pushed?.digest);
  });
});
