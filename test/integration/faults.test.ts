// Faults made by the harness on the real test bed (a worker with a 5 s stall timeout and a 30 s
// retry budget): a blob cut halfway on either side, a 429 storm, a site that hangs. One source
// and two sites for the file; the source and one site sit behind fault proxies.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pageTasksQuery, type ExecutionSummary } from '../../contract/index.js';
import { manualRunId } from '../../service/run-identity.js';
import { startReplicationRun } from '../../service/start-replication-run.js';
import { eventually } from '../harness/eventually.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawGetBlob, rawGetManifest, sha256 } from '../harness/raw-client.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startRegistryServer, type RegistryServer } from '../harness/registry-server.js';
import { runOutcome } from '../harness/run-outcome.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import { within } from '../harness/within.js';

const MiB = 1024 * 1024;

/** The image's largest blob: its one layer. */
const layerOf = (image: PushedImage) =>
  [...image.blobs.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;

describe('faults – cut blobs, 429 storms, a hung site', () => {
  let bed: TestBed;
  let dir: string;
  let source: RegistryServer;
  let sourceProxy: FaultProxy;
  let siteProxy: FaultProxy;
  let regatta: RegattaUnderTest;
  const ids: Record<string, number> = {};

  before(async () => {
    bed = await startTestBed();
    dir = mkdtempSync(join(tmpdir(), 'regatta-faults-'));
    source = await startRegistryServer({ name: 'source', dir: join(dir, 'source') });
    sourceProxy = await startFaultProxy(source);
    siteProxy = await startFaultProxy(bed.sites[0]);
    regatta = await startRegattaWorker(bed, {
      environment: { REGATTA_STALL_TIMEOUT_SECONDS: '5', REGATTA_RETRY_BUDGET_MINUTES: '0.5' },
    });
    ids.source = await regatta.addRegistry({ ...source, url: sourceProxy.url });
    ids.proxied = await regatta.addRegistry({ ...bed.sites[0], url: siteProxy.url });
    ids.direct = await regatta.addRegistry(bed.sites[1]);
  });
  after(async () => {
    await regatta?.stop();
    await siteProxy?.stop();
    await sourceProxy?.stop();
    await source?.stop();
    await bed?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a policy from the source to both sites for `repository`; its summary, tasks and time. */
  const replicate = async (repository: string, waitMs: number) => {
    const policy = await regatta.createPolicy({
      name: `faults-${randomUUID().slice(0, 6)}`,
      src_registry: { id: ids.source },
      dest_registries: [{ id: ids.proxied }, { id: ids.direct }],
      filters: [{ type: 'name', value: repository }],
    });
    const started = Date.now();
    const handle = await startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(policy, new Date(), randomUUID().slice(0, 6)),
      policy,
      trigger: 'manual',
    });
    const summary: ExecutionSummary = await within(runOutcome(handle), waitMs, `the run of ${repository}`);
    const { tasks } = await handle.query(pageTasksQuery);
    return { summary, tasks, ms: Date.now() - started, handle };
  };

  /** Each site serves the image whole: its manifest and its layer, byte for byte. */
  const assertAtSites = async (repository: string, tag: string, image: PushedImage) => {
    const [digest, bytes] = layerOf(image);
    for (const site of [bed.sites[0], bed.sites[1]]) {
      const manifest = await rawGetManifest({ registry: site }, repository, tag);
      assert.equal(sha256(manifest.bytes), image.digest, `${site.name} has ${repository}:${tag}`);
      const layer = await rawGetBlob({ registry: site }, repository, digest);
      assert.equal(layer.bytes.length, bytes.length, `${site.name} has the whole layer`);
      assert.equal(sha256(layer.bytes), digest);
    }
  };

  it('cut – a layer cut at 50% from the source, then towards a site: both runs complete', async () => {
    const first = await pushImage({ registry: source }, 'faults/cut', 'v1', { layerSizes: [4 * MiB] });
    sourceProxy.rules = [
      {
        method: 'GET',
        path: new RegExp(`/blobs/${layerOf(first)[0]}`),
        fault: { kind: 'cut-download', afterBytes: 2 * MiB },
        times: 1,
      },
    ];
    const fromSource = await replicate('faults/cut', 120_000);
    assert.equal(fromSource.summary.status, 'Succeed', fromSource.summary.statusText);
    assert.ok(
      sourceProxy.requests.some((request) => request.fault === 'cut-download'),
      'the source read was cut',
    );
    await assertAtSites('faults/cut', 'v1', first);

    const second = await pushImage({ registry: source }, 'faults/cut', 'v2', { layerSizes: [4 * MiB] });
    sourceProxy.rules = [];
    siteProxy.rules = [
      {
        method: 'PUT',
        path: /\/blobs\/uploads\//,
        fault: { kind: 'cut-upload', afterBytes: 2 * MiB },
        times: 1,
      },
    ];
    const toSite = await replicate('faults/cut', 120_000);
    assert.equal(toSite.summary.status, 'Succeed', toSite.summary.statusText);
    assert.ok(
      siteProxy.requests.some((request) => request.fault === 'cut-upload'),
      'the upload to the site was cut',
    );
    await assertAtSites('faults/cut', 'v2', second);
    siteProxy.rules = [];
  });

  it('429 storm – a site refusing a manifest six times with 429 and Retry-After: 1: the run waits and completes', async () => {
    const image = await pushImage({ registry: source }, 'faults/storm', 'v1', { layerSizes: [256 * 1024] });
    // The tag's manifest PUT: one caller, so each request after a refusal is that refusal's retry.
    siteProxy.rules = [
      {
        method: 'PUT',
        path: /\/manifests\//,
        fault: { kind: 'refuse', status: 429, retryAfterSeconds: 1 },
        times: 6,
      },
    ];
    const run = await replicate('faults/storm', 120_000);
    assert.equal(run.summary.status, 'Succeed', run.summary.statusText);
    assert.equal(siteProxy.requests.filter((request) => request.status === 429).length, 6);
    // Each refusal's Retry-After was honoured: the same request came again no sooner than 1 s after.
    const { requests } = siteProxy;
    requests.forEach((refused, index) => {
      if (refused.status !== 429) return;
      const next = requests
        .slice(index + 1)
        .find((later) => later.method === refused.method && later.path === refused.path);
      if (next)
        assert.ok(
          next.at - refused.at >= 950,
          `${refused.method} ${refused.path} again after ${next.at - refused.at} ms`,
        );
    });
    assert.ok(run.ms >= 5_000, `the run took ${run.ms} ms`);
    await assertAtSites('faults/storm', 'v1', image);
    siteProxy.rules = [];
  });

  it('hung site – the other site finishes in seconds; the hung one fails alone once its budget is spent', async () => {
    const image = await pushImage({ registry: source }, 'faults/hung', 'v1', { layerSizes: [256 * 1024] });
    siteProxy.rules = [{ fault: { kind: 'hang' } }];
    const policy = await regatta.createPolicy({
      name: `faults-${randomUUID().slice(0, 6)}`,
      src_registry: { id: ids.source },
      dest_registries: [{ id: ids.proxied }, { id: ids.direct }],
      filters: [{ type: 'name', value: 'faults/hung' }],
    });
    const started = Date.now();
    const handle = await startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(policy, new Date(), 'hung'),
      policy,
      trigger: 'manual',
    });
    const direct = await eventually(
      async () =>
        (await handle.query(pageTasksQuery)).tasks.find(
          (task) => task.destinationRegistryId === ids.direct && task.status === 'Succeed',
        ),
      30_000,
      'the site that answers to be done',
    );
    const directMs = Date.now() - started;
    assert.ok(directMs < 20_000, `the answering site took ${directMs} ms`);
    const hungNow = (await handle.query(pageTasksQuery)).tasks.find(
      (task) => task.destinationRegistryId === ids.proxied,
    );
    assert.equal(hungNow?.status, 'InProgress', 'the hung site is still being tried');

    const summary = await within(runOutcome(handle), 180_000, 'the run with a hung site to end');
    assert.equal(summary.status, 'Failed');
    const { tasks } = await handle.query(pageTasksQuery);
    const hung = tasks.find((task) => task.destinationRegistryId === ids.proxied)!;
    assert.equal(hung.status, 'Failed');
    assert.equal(hung.outcome, 'retry_budget_spent');
    assert.match(hung.error!.message, /retry budget of 30 s spent/);
    assert.equal(tasks.find((task) => task.id === direct.id)!.status, 'Succeed');
    const manifest = await rawGetManifest({ registry: bed.sites[1] }, 'faults/hung', 'v1');
    assert.equal(sha256(manifest.bytes), image.digest);
    siteProxy.rules = [];
  });
});
