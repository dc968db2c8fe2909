import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runStatusQuery, type ReplicationRunWorkflow } from '../../contract/index.js';
import { createRegistryClient, RateBudget, RegistryRateLimitedError } from '../../registry/index.js';
import { manualRunId } from '../../service/run-identity.js';
import { startReplicationRun } from '../../service/start-replication-run.js';
import type { PolicySnapshot } from '../../policies/index.js';
import { startDockerHubUpstream, type DockerHubUpstream } from '../harness/docker-hub-upstream.js';
import { eventually } from '../harness/eventually.js';
import { dockerHubRegistryBody } from '../harness/harbor-registry-body.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawGetManifest, rawListTags, sha256 } from '../harness/raw-client.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { runOutcome } from '../harness/run-outcome.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';
import type { WorkflowHandle } from '@temporalio/client';

const day = 86_400_000;

describe('upstream sources: a Docker Hub-like registry (no catalog, token auth, rate limits)', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let upstream: DockerHubUpstream;
  let hubId: number;
  let hqId: number;
  const pushed = new Map<string, PushedImage>();
  let runs = 0;

  const seed = async (repository: string, tag: string, created?: string) => {
    const image = await pushImage({ registry: upstream.registry }, repository, tag, {
      layerSizes: [2048, 512],
      ...(created ? { created } : {}),
    });
    pushed.set(`${repository}:${tag}`, image);
  };

  const policyFor = (filters: object[]) =>
    regatta.createPolicy({
      name: `from-hub-${randomUUID().slice(0, 6)}`,
      src_registry: { id: hubId },
      dest_registry: { id: hqId },
      trigger: { type: 'manual' },
      filters,
    });

  const start = (policy: PolicySnapshot): Promise<WorkflowHandle<ReplicationRunWorkflow>> =>
    startReplicationRun({
      client: regatta.client,
      workflowId: manualRunId(policy, new Date(), `u${++runs}`),
      policy,
      trigger: 'manual',
    });

  /** HQ serves the upstream's image byte for byte (its manifest digest) under `repository:tag`. */
  const atHq = async (repository: string, tag: string, upstreamName: string) => {
    const manifest = await rawGetManifest({ registry: bed.hq }, repository, tag);
    assert.equal(manifest.status, 200, `${repository}:${tag} at HQ`);
    assert.equal(sha256(manifest.bytes), pushed.get(`${upstreamName}:${tag}`)!.digest);
  };

  before(async () => {
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed);
    upstream = await startDockerHubUpstream({
      dir: join(bed.dir, 'upstream'),
      certificates: bed.certificates,
      // 0.6 s a request: a budget closed at its reserve (5) waits 9 s at most, durably (over 5 s).
      budget: 100,
      windowSeconds: 60,
    });
    const hub = await regatta.store.registries.create(dockerHubRegistryBody(upstream.url));
    hubId = hub.id;
    hqId = await regatta.addRegistry(bed.hq);
    for (const tag of ['1.24.0', '1.25.0', '1.25.3', '1.26.0', '2.0.0', 'latest'])
      await seed('library/nginx', tag);
    for (const tag of ['1.25.1', '7.2.0']) await seed('library/redis', tag);
  });
  after(async () => {
    await regatta?.stop();
    await upstream?.stop();
    await bed?.stop();
  });

  it('catalog-less – named repositories read by their tags, never the catalog; semver range and newest N; nginx is library/nginx', async () => {
    const policy = await policyFor([
      { type: 'name', value: '{nginx,redis}' },
      { type: 'tag', value: '>=1.25.0 <2', syntax: 'semver' },
      { type: 'newest', value: 2 },
    ]);
    const handle = await start(policy);
    const summary = await runOutcome(handle);
    const failed = (await regatta.tasks(handle.workflowId, { status: 'Failed' })).tasks;
    assert.equal(
      summary.status,
      'Succeed',
      JSON.stringify(failed.map((task) => [task.srcResource, task.error])),
    );
    await atHq('nginx', '1.26.0', 'library/nginx');
    await atHq('nginx', '1.25.3', 'library/nginx');
    await atHq('redis', '1.25.1', 'library/redis');
    assert.deepEqual((await rawListTags({ registry: bed.hq }, 'nginx')).sort(), ['1.25.3', '1.26.0']);
    assert.deepEqual(await rawListTags({ registry: bed.hq }, 'redis'), ['1.25.1']);
    assert.equal(upstream.counts.catalogRequests, 0, 'the catalog is never asked for');
    // The API shows the URL the registry was given.
    assert.equal((await regatta.store.registries.get(hubId)).url, upstream.url);

    // Run again: HEAD decides that all is in place, no manifest is fetched from the upstream.
    const gets = upstream.counts.manifestGets;
    const again = await runOutcome(await start(policy));
    assert.equal(again.status, 'Succeed', again.statusText);
    assert.equal(again.bytes, 0);
    assert.equal(upstream.counts.manifestGets, gets, 'no manifest GET for what is in place');
  });

  it('unknown repository – its task says REGISTRY_NAME_UNKNOWN, the others are copied', async () => {
    const policy = await policyFor([
      { type: 'name', value: '{library/nginx,library/no-such-image}' },
      { type: 'tag', value: '2.0.0' },
    ]);
    const handle = await start(policy);
    const summary = await runOutcome(handle);
    assert.equal(summary.status, 'Failed', 'a task failed');
    const tasks = (await regatta.tasks(handle.workflowId, { limit: 10 })).tasks;
    const unknown = tasks.find((task) => task.srcResource === 'library/no-such-image');
    assert.equal(unknown?.status, 'Failed');
    assert.equal(unknown?.error?.code, 'REGISTRY_NAME_UNKNOWN');
    assert.match(unknown?.error?.message ?? '', /no-such-image/);
    const copied = tasks.find((task) => task.srcResource === 'library/nginx:2.0.0');
    assert.equal(copied?.status, 'Succeed');
    await atHq('library/nginx', '2.0.0', 'library/nginx');
  });

  it('catalog refused – a pattern fails the run at once, naming the registry and saying to list the repositories', async () => {
    const before = upstream.counts.catalogRequests;
    const started = Date.now();
    const handle = await start(await policyFor([{ type: 'name', value: 'library/*' }]));
    await assert.rejects(handle.result(), /Workflow execution failed/);
    // What the API shows: the run as it kept itself in the store when it ended.
    const summary = (await regatta.store.executions.getByWorkflowId(handle.workflowId))!.result!.summary;
    assert.equal(summary.status, 'Failed');
    assert.match(summary.statusText, /run failed \(permanent\): .*127\.0\.0\.1:\d+ does not list its repositories/);
    assert.match(summary.statusText, /name the repositories in the name filters/);
    // One attempt: the refusal, a token, the refusal again. Not retried.
    assert.equal(upstream.counts.catalogRequests - before, 2);
    assert.ok(Date.now() - started < 15_000, 'failed at once, not after retries');
  });

  it('age bound – only images created within max_age are copied (their configs read, nothing else)', async () => {
    const now = Date.now();
    await seed('team/aged', 'fresh', new Date(now - 2 * day).toISOString());
    await seed('team/aged', 'stale', new Date(now - 90 * day).toISOString());
    await seed('team/aged', 'undated');
    const summary = await runOutcome(
      await start(
        await policyFor([
          { type: 'name', value: 'team/aged' },
          { type: 'max_age', value: '30d' },
        ]),
      ),
    );
    assert.equal(summary.status, 'Succeed', summary.statusText);
    assert.deepEqual(await rawListTags({ registry: bed.hq }, 'team/aged'), ['fresh']);
  });

  it('rate limit – the client reads RateLimit-Remaining, closes the budget at the reserve and sends nothing until resumeAt', async () => {
    upstream.resetWindow(6);
    const budget = new RateBudget();
    const client = createRegistryClient(
      { url: upstream.url, singleNameNamespace: 'library' },
      { rateBudget: budget },
    );
    const other = createRegistryClient(
      { url: upstream.url, singleNameNamespace: 'library' },
      { rateBudget: budget },
    );
    try {
      const gets = upstream.counts.manifestGets;
      // 5 of 100 left, the reserve: the budget closes until 10 requests have come back (6 s), and
      // the next request fails before it is sent, for every client of the budget.
      await client.getManifest('nginx', '1.24.0');
      const failure = await client.getManifest('nginx', '1.25.0').then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(failure instanceof RegistryRateLimitedError, String(failure));
      const waitMs = Date.parse(failure.resumeAt) - Date.now();
      assert.ok(waitMs > 5_000 && waitMs <= 6_000, `resume in ${waitMs} ms`);
      assert.match(failure.message, /5 of 100 requests left/);
      await assert.rejects(other.getManifest('nginx', '1.25.3'), RegistryRateLimitedError);
      // What Docker Hub does not count goes on: a HEAD, a blob of a copy that spent the last pull.
      assert.ok(await other.headManifest('nginx', '1.25.3'));
      assert.equal(upstream.counts.manifestGets - gets, 1);
      assert.equal(upstream.counts.tooManyRequests, 0, 'the budget closed before a 429');
    } finally {
      await client.close();
      await other.close();
    }
  });

  it('rate limit – a 429 with a long Retry-After fails fast with REGISTRY_RATE_LIMITED until the window ends', async () => {
    upstream.resetWindow(0);
    const client = createRegistryClient({ url: upstream.url, singleNameNamespace: 'library' });
    try {
      const failure = await client.getManifest('redis', '7.2.0').then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(failure instanceof RegistryRateLimitedError, String(failure));
      assert.equal(failure.status, 429);
      const waitMs = Date.parse(failure.resumeAt) - Date.now();
      assert.ok(waitMs > 50_000 && waitMs <= 60_000, `resume in ${waitMs} ms (the window is 60 s)`);
      assert.equal(upstream.counts.tooManyRequests, 1, 'one 429, not retried in the request');
    } finally {
      await client.close();
    }
  });

  it('rate limit – a run waits for the budget (a timer until resumeAt, the status saying so), then continues to the end', async () => {
    for (const tag of ['1.0.0', '1.0.1', '1.0.2']) await seed('library/busybox', tag);
    const policy = await policyFor([{ type: 'name', value: 'busybox' }]);
    upstream.resetWindow(0);
    const limitedBefore = upstream.counts.tooManyRequests;
    const handle = await start(policy);
    // The run waits with a timer, its status saying until when; it is not failed.
    const waiting = await eventually(
      async () => {
        const { statusText } = (await handle.query(runStatusQuery)).summary;
        return statusText.includes('rate limited, waiting until') && statusText;
      },
      30_000,
      'the run to wait for the rate limit',
    );
    const until = /waiting until (\S+) /.exec(waiting)?.[1];
    assert.ok(until && Date.parse(until) > Date.now() - 60_000, waiting);
    assert.equal((await handle.describe()).status.name, 'RUNNING', 'a rate limit does not fail the run');
    upstream.resetWindow(100);
    const summary = await runOutcome(handle);
    assert.equal(summary.status, 'Succeed', summary.statusText);
    for (const tag of ['1.0.0', '1.0.1', '1.0.2']) await atHq('busybox', tag, 'library/busybox');
    assert.equal(upstream.counts.tooManyRequests, limitedBefore, 'the budget held the run back before a 429');
  });

  it('rate limit – rate-limited 10 times in a row (Retry-After: 1), the run waits out each round and completes', async () => {
    await seed('library/alpine', '3.20.0');
    const policy = await policyFor([{ type: 'name', value: 'alpine' }]);
    upstream.resetWindow(100);
    const limitedBefore = upstream.counts.tooManyRequests;
    // A request tries 4 times through short waits, then the run waits with a timer: 40 refusals
    // are 10 rounds of the run's own, more than the 8 attempts a failing destination gets.
    upstream.refuseManifests(40, 1);
    const handle = await start(policy);
    const summary = await runOutcome(handle);
    assert.equal(summary.status, 'Succeed', summary.statusText);
    await atHq('alpine', '3.20.0', 'library/alpine');
    assert.equal(upstream.counts.tooManyRequests - limitedBefore, 40);
    const events = (await handle.fetchHistory()).events ?? [];
    const timers = events.filter((event) => event.timerStartedEventAttributes);
    assert.ok(timers.length >= 10, `${timers.length} rate-limit waits`);
    const [task] = (await regatta.tasks(handle.workflowId)).tasks;
    assert.equal(task?.status, 'Succeed');
  });
});
