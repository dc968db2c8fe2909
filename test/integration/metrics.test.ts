import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { request } from 'undici';
import { startApi, type StartedApi } from '../../server/start-api.js';
import { manualRunId } from '../../service/run-identity.js';
import { startReplicationRun } from '../../service/start-replication-run.js';
import type { ExecutionSummary } from '../../contract/index.js';
import type { PolicySnapshot } from '../../policies/index.js';
import { eventually } from '../harness/eventually.js';
import { startHangUpServer } from '../harness/hang-up-server.js';
import { harborRegistryBody } from '../harness/harbor-registry-body.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { sumOf, type Sample } from '../harness/prometheus-text.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { scrape, serveWorkerMetrics } from '../harness/worker-metrics.js';
import { runOutcome } from '../harness/run-outcome.js';

const webhookSecret = 'metrics-webhook-secret-0123456789';
const admin = `Basic ${Buffer.from('admin:test-admin-password').toString('base64')}`;

/** Scrapes until `ready` holds: the exporter serves what was recorded, not always within the same tick. */
function scrapeUntil(
  url: string,
  ready: (samples: Sample[]) => boolean,
  what: string,
  authorization?: string,
) {
  return eventually(
    async () => {
      const samples = await scrape(url, authorization);
      return ready(samples) && samples;
    },
    10_000,
    what,
  );
}

describe('metrics', () => {
  let workerMetrics: string;
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  const ids: Record<string, number> = {};

  const manualRun = async (policy: PolicySnapshot): Promise<ExecutionSummary> => {
    const handle = await startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(policy, new Date(), randomUUID().slice(0, 4)),
      policy,
      trigger: 'manual',
    });
    return runOutcome(handle);
  };

  before(async () => {
    workerMetrics = await serveWorkerMetrics();
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed);
    const { registries } = regatta.store;
    ids.hq = (
      await registries.create({ ...harborRegistryBody(bed.hq, { webhook_secret: webhookSecret }) })
    ).id;
    ids.plain = await regatta.addRegistry(bed.sites[0]);
    ids.tls = await regatta.addRegistry(bed.sites[2]);
    const [, basic] = bed.sites;
    const body = harborRegistryBody(basic);
    ids.wrong = (
      await registries.create({
        ...body,
        name: 'site-wrong-password',
        credential: { ...body.credential!, access_secret: 'not-the-password' },
      })
    ).id;
    api = await startApi(regatta.environment, bed.temporal!.address, pino({ level: 'silent' }), {
      workerMetricsUrl: workerMetrics,
    });
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await bed?.stop();
  });

  it('a run to two sites – copied artifacts and bytes per destination add up to the run’s figures', async () => {
    // Counters are per process: this test reads what its run added to them.
    const baseline = await scrape(workerMetrics);
    const added = (found: Sample[], name: string, labels: Record<string, string>) =>
      sumOf(found, name, labels) - sumOf(baseline, name, labels);
    await pushImage({ registry: bed.hq }, 'production/app', 'v1', { layerSizes: [120_000, 3_000] });
    const policy = await regatta.createPolicy({
      name: `two-sites-${randomUUID().slice(0, 6)}`,
      src_registry: { id: ids.hq },
      dest_registries: [{ id: ids.plain }, { id: ids.tls }],
      trigger: { type: 'manual' },
      filters: [{ type: 'name', value: 'production/**' }],
    });
    const summary = await manualRun(policy);
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.equal(summary.counts.succeed, 2);
    assert.ok(summary.bytes > 120_000);

    const sites = ['site-plain', 'site-tls'];
    const samples = await scrapeUntil(
      workerMetrics,
      (found) =>
        sumOf(found, 'regatta_run_duration_seconds_count', { policy: policy.name }) === 1 &&
        added(found, 'regatta_artifacts_total', { outcome: 'copied', destination: 'site-tls' }) === 1,
      'the run in the worker metrics',
    );
    for (const destination of sites) {
      assert.equal(
        added(samples, 'regatta_artifacts_total', { destination, operation: 'copy', outcome: 'copied' }),
        1,
        destination,
      );
      assert.equal(added(samples, 'regatta_failures_total', { destination }), 0, destination);
    }
    const bytes = sites.map((destination) => added(samples, 'regatta_bytes_total', { destination }));
    assert.equal(bytes[0]! + bytes[1]!, summary.bytes);
    assert.equal(bytes[0], bytes[1], 'both sites lacked everything');
    assert.equal(
      sumOf(samples, 'regatta_run_duration_seconds_count', {
        policy: policy.name,
        trigger: 'manual',
        status: 'Succeed',
      }),
      1,
    );
    assert.ok(sumOf(samples, 'regatta_run_duration_seconds_sum', { policy: policy.name }) > 0);
    // Temporal's own metrics are on the same endpoint.
    assert.ok(samples.some((sample) => sample.name.startsWith('temporal_')));
  });

  it('a site refusing the credentials – its failures are counted with the error code', async () => {
    await pushImage({ registry: bed.hq }, 'production/refused', 'v1', { layerSizes: [2_000] });
    const policy = await regatta.createPolicy({
      name: `refused-${randomUUID().slice(0, 6)}`,
      src_registry: { id: ids.hq },
      dest_registries: [{ id: ids.wrong }],
      trigger: { type: 'manual' },
      filters: [{ type: 'name', value: 'production/refused' }],
    });
    const summary = await manualRun(policy);
    assert.equal(summary.status, 'Failed', summary.statusText);
    assert.equal(summary.counts.failed, 1);

    const destination = 'site-wrong-password';
    const samples = await scrapeUntil(
      workerMetrics,
      (found) => sumOf(found, 'regatta_run_duration_seconds_count', { policy: policy.name }) === 1,
      'the failed run in the worker metrics',
    );
    assert.equal(
      sumOf(samples, 'regatta_failures_total', { destination, reason: 'REGISTRY_UNAUTHORIZED' }),
      summary.counts.failed,
    );
    assert.equal(sumOf(samples, 'regatta_artifacts_total', { destination, outcome: 'failed' }), 1);
    assert.equal(sumOf(samples, 'regatta_bytes_total', { destination }), 0);
    assert.equal(
      sumOf(samples, 'regatta_run_duration_seconds_count', { policy: policy.name, status: 'Failed' }),
      1,
    );
  });

  it('/metrics – needs the API’s credentials (admin or a viewer token)', async () => {
    const anonymous = await request(`${api.url}/metrics`);
    await anonymous.body.dump();
    assert.equal(anonymous.statusCode, 401);

    const created = await request(`${api.url}/api/v2.0/tokens`, {
      method: 'POST',
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'prometheus', role: 'viewer' }),
    });
    const { token } = (await created.body.json()) as { token: string };
    for (const authorization of [admin, `Bearer ${token}`]) {
      const reply = await request(`${api.url}/metrics`, { headers: { authorization } });
      assert.equal(reply.statusCode, 200);
      assert.match(String(reply.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      await reply.body.dump();
    }
  });

  it('webhooks – each delivery is counted by source and outcome; an event run observes push-to-site', async () => {
    const image: PushedImage = await pushImage({ registry: bed.hq }, 'events/app', 'v1', {
      layerSizes: [4_096],
    });
    await regatta.createPolicy({
      name: `events-${randomUUID().slice(0, 6)}`,
      src_registry: { id: ids.hq },
      dest_registries: [{ id: ids.plain }],
      trigger: { type: 'event_based' },
      filters: [{ type: 'name', value: 'events/**' }],
    });
    // One push as the registry reports it: delivered again, the same event (a duplicate).
    const pushedAt = new Date().toISOString();
    const envelope = (repository: string) => ({
      events: [
        {
          action: 'push',
          timestamp: pushedAt,
          target: { mediaType: image.mediaType, repository, digest: image.digest, tag: 'v1' },
        },
      ],
    });
    const deliver = async (body: object, authorization = `Bearer ${webhookSecret}`) => {
      const reply = await request(`${api.url}/webhooks/registries/${ids.hq}`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await reply.body.text();
      return { status: reply.statusCode, runs: (text ? (JSON.parse(text) as { runs?: string[] }) : {}).runs };
    };

    assert.equal((await deliver(envelope('events/app'), 'Bearer wrong')).status, 401);
    const started = await deliver(envelope('events/app'));
    assert.equal(started.status, 200);
    assert.equal(started.runs?.length, 1);
    await regatta.client.workflow.getHandle(started.runs![0]!).result();
    assert.equal((await deliver(envelope('events/app'))).status, 200);
    assert.equal((await deliver(envelope('staging/app'))).status, 202);
    assert.equal((await deliver({ neither: 'distribution nor harbor' })).status, 400);

    // One scrape of the API (as of `regatta dev`) holds its own metrics and the worker's.
    const samples = await scrapeUntil(
      `${api.url}/metrics`,
      (found) => sumOf(found, 'regatta_push_to_site_seconds_count', { destination: 'site-plain' }) === 1,
      'the event run in the metrics',
      admin,
    );
    const deliveries = (source: string, outcome: string) =>
      sumOf(samples, 'regatta_webhook_deliveries_total', { source, outcome });
    // Refused before its body is read, so its source is unknown.
    assert.equal(deliveries('unknown', 'unauthorized'), 1);
    assert.equal(deliveries('distribution', 'started'), 1);
    assert.equal(deliveries('distribution', 'duplicate'), 1);
    assert.equal(deliveries('distribution', 'ignored'), 1);
    assert.equal(deliveries('unknown', 'invalid'), 1);
    assert.equal(sumOf(samples, 'regatta_webhook_deliveries_total'), 5);

    const webhookRequests = (statusClass: string) =>
      sumOf(samples, 'regatta_http_requests_total', {
        method: 'POST',
        route: '/webhooks/registries/:id',
        status_class: statusClass,
      });
    assert.equal(webhookRequests('2xx'), 3);
    assert.equal(webhookRequests('4xx'), 2);
    assert.ok(sumOf(samples, 'regatta_http_request_duration_seconds_count', { route: '/metrics' }) >= 1);
    assert.ok(sumOf(samples, 'process_cpu_user_seconds_total') > 0, 'process metrics');
    assert.ok(sumOf(samples, 'regatta_push_to_site_seconds_sum', { destination: 'site-plain' }) > 0);
  });

  it('/metrics – without its worker, the API serves its own metrics alone', async () => {
    const deadWorker = await startHangUpServer();
    const lonely = await startApi(regatta.environment, bed.temporal!.address, pino({ level: 'silent' }), {
      workerMetricsUrl: `http://127.0.0.1:${deadWorker.port}/metrics`,
    });
    try {
      await request(`${lonely.url}/no/such/path`).then((reply) => reply.body.dump());
      const samples = await scrape(`${lonely.url}/metrics`, admin);
      assert.ok(sumOf(samples, 'process_cpu_user_seconds_total') > 0);
      assert.equal(
        sumOf(samples, 'regatta_http_requests_total', { route: 'unmatched', status_class: '4xx' }),
        1,
      );
      assert.ok(!samples.some((sample) => sample.name.startsWith('regatta_artifacts')));
    } finally {
      await lonely.stop();
      await deadWorker.stop();
    }
  });
});
