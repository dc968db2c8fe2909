// The whole multi-level picture on real registries: a Docker Hub-like upstream (no catalog, token
// auth, rate-limit headers, 429 after a budget) → HQ by a scheduled policy naming its repositories
// with a semver filter → HQ's own notifications → an event-based tree policy → 2 hubs → 4 sites.
// Counting proxies in front of the upstream, HQ and the hubs measure what each link carries.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scheduleId } from '../../service/run-identity.js';
import type { StartedApi } from '../../server/start-api.js';
import { apiSession, type ExecutionView } from '../harness/api-session.js';
import { startCountingProxy, type CountingProxy } from '../harness/counting-proxy.js';
import { startDockerHubUpstream, type DockerHubUpstream } from '../harness/docker-hub-upstream.js';
import { eventually } from '../harness/eventually.js';
import { freePort } from '../harness/free-port.js';
import { dockerHubRegistryBody, harborRegistryBody } from '../harness/harbor-registry-body.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawGetManifest, sha256 } from '../harness/raw-client.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startRegistryServer, type RegistryServer } from '../harness/registry-server.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

const webhookSecret = 'hq-tree-webhook-secret-0123456789';

describe('the whole picture: Docker Hub-like upstream → HQ → 2 hubs → 4 sites', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  let session: ReturnType<typeof apiSession>;
  let upstream: DockerHubUpstream;
  const proxies: CountingProxy[] = [];
  let upstreamLink: CountingProxy;
  let hqLink: CountingProxy;
  let hubLinks: CountingProxy[];
  const extra: RegistryServer[] = [];
  let sites: RegistryServer[];
  let syncPolicyId: number;
  let treePolicyId: number;
  /** The upstream's images the sync selects, by `name:tag` as HQ and the sites hold them. */
  const selected = new Map<string, PushedImage>();

  const seed = async (name: string, tag: string, select: boolean) => {
    const image = await pushImage({ registry: upstream.registry }, `library/${name}`, tag, {
      layerSizes: [48 * 1024, 16 * 1024],
    });
    if (select) selected.set(`${name}:${tag}`, image);
    return image;
  };
  /** Every site serves every selected image byte for byte (the upstream's manifest digest). */
  const everySiteHasAll = async () => {
    for (const site of sites) {
      for (const [reference, image] of selected) {
        const [repository, tag] = reference.split(':') as [string, string];
        const manifest = await rawGetManifest({ registry: site }, repository, tag);
        if (manifest.status !== 200 || sha256(manifest.bytes) !== image.digest) return false;
      }
    }
    return true;
  };
  const executionsOf = async (policyId: number) => {
    const reply = await session.call('GET', `/replication/executions?policy_id=${policyId}&page_size=100`);
    assert.equal(reply.status, 200, reply.text);
    return reply.json as ExecutionView[];
  };
  /** The scheduled policy's schedule fires now (its cron is daily): a run with trigger `scheduled`. */
  const fireSchedule = () => regatta.client.schedule.getHandle(scheduleId(syncPolicyId)).trigger();
  const served = (proxy: CountingProxy) =>
    [...proxy.counts.blobBytes.values()].reduce((sum, n) => sum + n, 0);

  before(async () => {
    const apiPort = await freePort();
    bed = await startTestBed({
      hqNotifications: [
        {
          name: 'regatta',
          url: `http://127.0.0.1:${apiPort}/webhooks/registries/1`,
          headers: { Authorization: [`Bearer ${webhookSecret}`] },
          ignoredmediatypes: ['application/octet-stream'],
        },
      ],
    });
    regatta = await startRegattaWorker(bed);
    api = await startRegattaApi(bed, regatta, apiPort);
    session = apiSession(api.url);
    // 2 manifest GETs a 20 s window: the sync of 3 images meets the limit and waits it out.
    upstream = await startDockerHubUpstream({
      dir: join(bed.dir, 'upstream'),
      certificates: bed.certificates,
      budget: 2,
      windowSeconds: 20,
    });
    const folder = (name: string) => {
      const path = join(bed.dir, name);
      mkdirSync(path, { recursive: true });
      return path;
    };
    // Hubs and sites on Distribution 2.8 and 3.x alike.
    const started = await Promise.all(
      ['hub-a', 'hub-b', 'site-a1', 'site-a2', 'site-b1', 'site-b2'].map((name, index) =>
        startRegistryServer({ name, dir: folder(name), distribution: index % 2 === 0 ? 2 : 3 }),
      ),
    );
    extra.push(...started);
    const [hubA, hubB, ...leaves] = started as [RegistryServer, RegistryServer, ...RegistryServer[]];
    sites = leaves;

    const target = (url: string) => {
      const { hostname, port } = new URL(url);
      return { host: hostname, port: Number(port) };
    };
    upstreamLink = await startCountingProxy({ target: target(upstream.url) });
    // HQ's own TLS, ended and made again by its counter, which sees the HTTP it counts.
    hqLink = await startCountingProxy({ target: target(bed.hq.url), tls: bed.certificates });
    hubLinks = [
      await startCountingProxy({ target: target(hubA.url) }),
      await startCountingProxy({ target: target(hubB.url) }),
    ];
    proxies.push(upstreamLink, hqLink, ...hubLinks);

    // HQ is registry 1, as its notification URL says; Regatta reaches it through its counter.
    const hq = await regatta.store.registries.create({
      ...harborRegistryBody(bed.hq, { webhook_secret: webhookSecret }),
      url: hqLink.url,
    });
    assert.equal(hq.id, 1);
    const hub = await regatta.store.registries.create(dockerHubRegistryBody(upstreamLink.url));
    const hubIds: number[] = [];
    for (const [index, server] of [hubA, hubB].entries()) {
      hubIds.push(
        (await regatta.store.registries.create({ ...harborRegistryBody(server), url: hubLinks[index]!.url }))
          .id,
      );
    }
    const siteIds: number[] = [];
    for (const site of sites) siteIds.push(await regatta.addRegistry(site));

    syncPolicyId = await session.createdId('/replication/policies', {
      name: 'hub-to-hq',
      src_registry: { id: hub.id },
      dest_registry: { id: hq.id },
      trigger: { type: 'scheduled', trigger_settings: { cron: '0 0 3 * * *' } },
      filters: [
        { type: 'name', value: '{app,tool}' },
        { type: 'tag', value: '>=1.25.0 <2', syntax: 'semver' },
      ],
      enabled: true,
    });
    treePolicyId = await session.createdId('/replication/policies', {
      name: 'hq-to-sites',
      src_registry: { id: hq.id },
      trigger: { type: 'event_based' },
      on_hub_failure: 'from_parent',
      tree: hubIds.map((id, index) => ({
        registry: { id },
        children: siteIds.slice(index * 2, index * 2 + 2).map((site) => ({ registry: { id: site } })),
      })),
      enabled: true,
    });

    for (const tag of ['1.24.0', '1.25.0', '1.26.0', '2.0.0'])
      await seed('app', tag, tag.startsWith('1.2') && tag !== '1.24.0');
    for (const tag of ['1.25.1', '3.0.0']) await seed('tool', tag, tag === '1.25.1');
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    for (const proxy of proxies) await proxy.stop();
    for (const server of extra) await server.stop();
    await upstream?.stop();
    await bed?.stop();
  });

  it('sync – the scheduled run waits out the upstream’s rate limit; HQ’s events reach every site through the hubs, each link carrying each blob once', async () => {
    await fireSchedule();
    const waited = await eventually(
      async () => {
        for (const execution of await executionsOf(syncPolicyId)) {
          const text = execution.status_text ?? '';
          if (text.includes('rate limited, waiting until')) return text;
        }
        return undefined;
      },
      60_000,
      'the sync waiting for the rate limit',
      50,
    );
    assert.match(waited, /rate limited, waiting until \d{4}-\d\d-\d\dT/);
    await eventually(everySiteHasAll, 180_000, 'every selected image at every site', 500);

    const [sync] = await executionsOf(syncPolicyId);
    const finishedSync = await session.finishedExecution(sync!.id);
    assert.equal(finishedSync.status, 'Succeed', finishedSync.status_text);
    assert.equal(finishedSync.trigger, 'scheduled');
    assert.equal(upstream.counts.catalogRequests, 0, 'the upstream’s catalog is never asked for');

    // The blobs of the selected images: HQ served each at most once per hub, each hub at most
    // once per site and at least once (the sites were fed by the hubs, not by HQ).
    const blobs = new Map<string, number>();
    for (const image of selected.values())
      for (const [digest, bytes] of image.blobs) blobs.set(digest, bytes.length);
    for (const [digest, size] of blobs) {
      const atHq = hqLink.counts.blobGets.get(digest) ?? 0;
      assert.ok(atHq >= 1 && atHq <= 2, `HQ served ${digest} ${atHq} times`);
      for (const [index, link] of hubLinks.entries()) {
        const count = link.counts.blobGets.get(digest) ?? 0;
        assert.ok(count >= 1 && count <= 2, `hub ${index} served ${digest} ${count} times`);
        assert.equal(link.counts.blobBytes.get(digest), count * size, 'whole blobs');
      }
    }
    // One event run per tag HQ received, each one status for its whole tree.
    const runs = await eventually(
      async () => {
        const executions = await executionsOf(treePolicyId);
        return executions.length === selected.size &&
          executions.every((execution) => execution.status !== 'InProgress')
          ? executions
          : undefined;
      },
      60_000,
      'the event runs finished',
    );
    for (const run of runs) {
      assert.equal(run.status, 'Succeed', run.status_text);
      assert.equal(run.trigger, 'event_based');
      const tasks = await session.allTasks(run.id);
      assert.equal(tasks.length, 6, 'a task per link: 2 hubs and 4 sites');
      const fromHubs = tasks.filter((task) => /^hub-[ab]\//.test(task.src_resource));
      assert.equal(fromHubs.length, 4, JSON.stringify(tasks.map((task) => task.src_resource)));
    }

    const blobBytes = [...blobs.values()].reduce((sum, n) => sum + n, 0);
    console.log(
      `bytes per link (selected images: ${blobBytes} blob bytes): upstream → HQ ${served(upstreamLink)}, ` +
        `HQ → hubs ${served(hqLink)}, hub-a → its sites ${served(hubLinks[0]!)}, hub-b → its sites ${served(hubLinks[1]!)}; ` +
        `upstream: ${upstream.counts.manifestGets} manifest GETs, ${upstream.counts.tooManyRequests} answered 429`,
    );
  });

  it('change – a new upstream version reaches the last site; the time from the push is printed', async () => {
    upstream.resetWindow(10);
    const changedAt = Date.now();
    await seed('app', '1.27.0', true);
    await fireSchedule();
    const seconds = () => ((Date.now() - changedAt) / 1000).toFixed(1);
    await eventually(
      async () => (await rawGetManifest({ registry: bed.hq }, 'app', '1.27.0')).status === 200,
      120_000,
      'app:1.27.0 at HQ',
      100,
    );
    const atHq = seconds();
    await eventually(everySiteHasAll, 120_000, 'app:1.27.0 at every site', 100);
    console.log(
      `from the upstream change (schedule fired at the change): HQ after ${atHq} s, the last site after ${seconds()} s`,
    );
  });
});
