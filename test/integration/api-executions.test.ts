import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { StartedApi } from '../../server/start-api.js';
import { driftAuditId, scheduleId } from '../../service/run-identity.js';
import { readSite } from '../../service/sites-map.js';
import { midCopy } from '../harness/copy-progress.js';
import { eventually } from '../harness/eventually.js';
import { pushImage } from '../harness/images.js';
import { rawGetManifest, sha256 } from '../harness/raw-client.js';
import { harborRegistryBody } from '../harness/harbor-registry-body.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

describe('executions API', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  const admin = `Basic ${Buffer.from('admin:test-admin-password').toString('base64')}`;

  async function call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    { authorization = admin, url = api.url } = {},
  ) {
    const response = await request(`${url}/api/v2.0${path}`, {
      method,
      headers: {
        authorization,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    const json =
      text && String(response.headers['content-type']).includes('json') ? JSON.parse(text) : undefined;
    return { status: response.statusCode, headers: response.headers, text, json };
  }

  async function createdId(path: string, body: unknown): Promise<number> {
    const reply = await call('POST', path, body);
    assert.equal(reply.status, 201, reply.text);
    return Number(String(reply.headers.location).split('/').pop());
  }

  async function finished(id: number, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const reply = await call('GET', `/replication/executions/${id}`);
      if (reply.json.status !== 'InProgress') return reply.json;
      await sleep(250);
    }
    throw new Error(`execution ${id} still in progress after ${timeoutMs} ms`);
  }

  const ids: Record<string, number> = {};
  before(async () => {
    bed = await startTestBed();
    // Two closed executions kept per policy: the retention test runs one policy three times.
    regatta = await startRegattaWorker(bed, { environment: { REGATTA_EXECUTIONS_KEPT: '2' } });
    api = await startRegattaApi(bed, regatta);
    for (const registry of [bed.hq, ...bed.sites])
      ids[registry.name] = await createdId('/registries', harborRegistryBody(registry));
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await bed?.stop();
  });

  const destinations = () => bed.sites.map((site) => ({ id: ids[site.name] }));

  it('start, read, list, tasks and log – Harbor shapes that match what happened', async () => {
    const image = await pushImage({ registry: bed.hq }, 'production/exec', 'v1', { layerSizes: [2048] });
    await pushImage({ registry: bed.hq }, 'staging/exec', 'v1', { layerSizes: [2048] });
    const policyId = await createdId('/replication/policies', {
      name: 'exec-api',
      src_registry: { id: ids.hq },
      dest_registries: destinations(),
      filters: [{ type: 'name', value: 'production/**' }],
    });
    const executionId = await createdId('/replication/executions', { policy_id: policyId });
    const execution = await finished(executionId);
    assert.equal(execution.status, 'Succeed', execution.status_text);
    assert.equal(execution.policy_id, policyId);
    assert.equal(execution.trigger, 'manual');
    assert.deepEqual(
      [execution.total, execution.succeed, execution.failed, execution.in_progress, execution.stopped],
      [3, 3, 0, 0, 0],
    );
    assert.ok(execution.end_time >= execution.start_time);

    const tasks = await call('GET', `/replication/executions/${executionId}/tasks`);
    assert.equal(tasks.status, 200);
    assert.equal(tasks.headers['x-total-count'], '3');
    assert.deepEqual(
      tasks.json.map((task: { dst_resource: string }) => task.dst_resource).sort(),
      bed.sites.map((site) => `${site.name}/production/exec:v1`).sort(),
    );
    assert.ok(
      tasks.json.every(
        (task: { status: string; src_resource: string }) =>
          task.status === 'Succeed' && task.src_resource === 'production/exec:v1',
      ),
    );
    for (const site of bed.sites) {
      assert.equal(
        sha256((await rawGetManifest({ registry: site }, 'production/exec', 'v1')).bytes),
        image.digest,
      );
    }

    const log = await call('GET', `/replication/executions/${executionId}/tasks/${tasks.json[0].id}/log`);
    assert.equal(log.status, 200);
    assert.match(String(log.headers['content-type']), /text\/plain/);
    assert.match(log.text, /status: Succeed \(copied\)/);

    const list = await call('GET', `/replication/executions?policy_id=${policyId}`);
    assert.equal(list.headers['x-total-count'], '1');
    assert.equal(list.json[0].id, executionId);
    assert.equal(
      (await call('GET', `/replication/executions?policy_id=${policyId}&status=Succeed`)).json.length,
      1,
    );
    assert.equal(
      (await call('GET', `/replication/executions?policy_id=${policyId}&status=Failed`)).json.length,
      0,
    );
    assert.equal(
      (await call('GET', `/replication/executions?policy_id=${policyId}&trigger=scheduled`)).json.length,
      0,
    );
  });

  it('retention – a policy keeps its newest closed executions (REGATTA_EXECUTIONS_KEPT); an older one answers 404', async () => {
    await pushImage({ registry: bed.hq }, 'production/retained', 'v1', { layerSizes: [1024] });
    const policyId = await createdId('/replication/policies', {
      name: 'exec-retention',
      src_registry: { id: ids.hq },
      dest_registries: destinations(),
      filters: [{ type: 'name', value: 'production/retained' }],
    });
    const runs: number[] = [];
    for (let run = 0; run < 3; run++) {
      const executionId = await createdId('/replication/executions', { policy_id: policyId });
      assert.equal((await finished(executionId)).status, 'Succeed');
      runs.push(executionId);
    }
    const list = await call('GET', `/replication/executions?policy_id=${policyId}`);
    assert.deepEqual(
      list.json.map((execution: { id: number }) => execution.id),
      [runs[2], runs[1]],
    );
    assert.equal((await call('GET', `/replication/executions/${runs[0]}`)).status, 404);
    assert.equal((await call('GET', `/replication/executions/${runs[0]}/tasks`)).status, 404);
    assert.equal((await call('GET', `/replication/executions/${runs[1]}/tasks`)).json.length, 3);
  });

  it('stop – PUT stops a running execution promptly; a second start meanwhile is recorded as skipped', async () => {
    await pushImage({ registry: bed.hq }, 'production/stoppable', 'v1', { layerSizes: [8 * 1024 * 1024] });
    const policyId = await createdId('/replication/policies', {
      name: 'exec-stop',
      src_registry: { id: ids.hq },
      dest_registries: destinations(),
      filters: [{ type: 'name', value: 'production/stoppable' }],
      // KiB/s for the run, a quarter per artifact: left alone the 8 MiB layer takes 32 s.
      speed: 1024,
      single_active_replication: true,
    });
    const executionId = await createdId('/replication/executions', { policy_id: policyId });
    const execution = (await call('GET', `/replication/executions/${executionId}`)).json;
    const run = regatta.client.workflow.getHandle(execution.workflow_id ?? '');
    await midCopy(regatta.client.workflow.getHandle(run.workflowId));
    assert.equal((await call('GET', `/replication/executions/${executionId}`)).json.status, 'InProgress');
    const skipped = await finished(
      await createdId('/replication/executions', { policy_id: policyId }),
      30_000,
    );
    assert.equal(skipped.status, 'Stopped');
    assert.match(skipped.status_text, /^skipped: another execution of this policy is in progress/);
    const stoppedAt = Date.now();
    assert.equal((await call('PUT', `/replication/executions/${executionId}`)).status, 200);
    const stopped = await finished(executionId, 30_000);
    // Within a heartbeat or two; the margin is for a loaded machine, far below the copy's 32 s.
    assert.ok(Date.now() - stoppedAt < 15_000, `stopped in ${Date.now() - stoppedAt} ms`);
    assert.equal(stopped.status, 'Stopped');
    for (const site of bed.sites) {
      assert.equal((await rawGetManifest({ registry: site }, 'production/stoppable', 'v1')).status, 404);
    }
  });

  it('terminated – a run ended in Temporal from outside reads Failed, first on its site, and is kept so; the sweep then counts it', async () => {
    await pushImage({ registry: bed.hq }, 'production/terminated', 'v1', { layerSizes: [8 * 1024 * 1024] });
    const body = {
      name: 'exec-terminated',
      src_registry: { id: ids.hq },
      dest_registries: destinations(),
      filters: [{ type: 'name', value: 'production/terminated' }],
      // KiB/s: the run is still copying when it is terminated.
      speed: 1024,
    };
    const policyId = await createdId('/replication/policies', body);
    const terminatedId = await createdId('/replication/executions', { policy_id: policyId });
    const started = (await call('GET', `/replication/executions/${terminatedId}`)).json;
    const run = regatta.client.workflow.getHandle(started.workflow_id ?? '');
    await midCopy(run);
    await run.terminate('an operator ends it from Temporal');
    // Its site is read before the executions API is: that read records the end the run could not.
    const site = await readSite(regatta.store, regatta.client, ids[bed.sites[0].name]!);
    assert.deepEqual(
      site.runs
        .filter((brief) => brief.executionId === terminatedId)
        .map((brief) => [brief.status, brief.endTime !== undefined]),
      [['Failed', true]],
    );
    assert.match(
      (await regatta.store.executions.get(terminatedId)).result?.summary.statusText ?? '',
      /^terminated in Temporal before the run recorded its end/,
    );
    const read = (await call('GET', `/replication/executions/${terminatedId}`)).json;
    assert.equal(read.status, 'Failed');
    assert.match(read.status_text, /^terminated in Temporal before the run recorded its end/);
    assert.equal(read.in_progress, 0, 'nothing of it is going on');
    assert.ok(read.end_time);
    const listed = (await call('GET', `/replication/executions?policy_id=${policyId}`)).json;
    assert.deepEqual(
      listed.map((execution: { id: number; status: string }) => [execution.id, execution.status]),
      [[terminatedId, 'Failed']],
    );
    // Recorded as ended, it is swept as any closed execution: two runs later (two kept here) it is gone.
    assert.equal((await call('PUT', `/replication/policies/${policyId}`, { ...body, speed: 0 })).status, 200);
    for (let run = 0; run < 2; run++)
      assert.equal(
        (await finished(await createdId('/replication/executions', { policy_id: policyId }))).status,
        'Succeed',
      );
    assert.equal((await call('GET', `/replication/executions/${terminatedId}`)).status, 404);
  });

  it('unread – a run terminated that nobody reads is recorded by later runs of its policy as they end, and swept', async () => {
    await pushImage({ registry: bed.hq }, 'production/unread', 'v1', { layerSizes: [8 * 1024 * 1024] });
    const body = {
      name: 'exec-unread',
      src_registry: { id: ids.hq },
      dest_registries: destinations(),
      filters: [{ type: 'name', value: 'production/unread' }],
      // KiB/s: the run is still copying when it is terminated.
      speed: 1024,
    };
    const policyId = await createdId('/replication/policies', body);
    const unreadId = await createdId('/replication/executions', { policy_id: policyId });
    // Neither the executions API nor a site reads it from here on; the store names its run.
    const run = regatta.client.workflow.getHandle((await regatta.store.executions.get(unreadId)).workflowId);
    await midCopy(run);
    await run.terminate('an operator ends it from Temporal');
    assert.equal((await call('PUT', `/replication/policies/${policyId}`, { ...body, speed: 0 })).status, 200);
    for (let later = 0; later < 2; later++)
      assert.equal(
        (await finished(await createdId('/replication/executions', { policy_id: policyId }))).status,
        'Succeed',
      );
    // Past the two kept closed executions, the second run's end recorded it, and its sweep took it.
    await assert.rejects(regatta.store.executions.get(unreadId), /not found/);
  });

  it('forgotten – an execution Temporal no longer holds reads Failed with its end time from the first read on', async () => {
    const policyId = await createdId('/replication/policies', {
      name: 'exec-forgotten',
      src_registry: { id: ids.hq },
      dest_registries: destinations(),
    });
    // As after Temporal's retention: the store has an execution whose run Temporal does not hold.
    const forgotten = await regatta.store.executions.create({
      policyId,
      workflowId: 'exec-forgotten/manual/past-retention',
      trigger: 'manual',
    });
    const first = (await call('GET', `/replication/executions/${forgotten.id}`)).json;
    assert.equal(first.status, 'Failed');
    assert.match(first.status_text, /^Temporal no longer holds this run/);
    assert.ok(first.end_time, 'the end recorded by the first read has its time');
    assert.equal(
      (await call('GET', `/replication/executions/${forgotten.id}`)).json.end_time,
      first.end_time,
    );
  });

  it('errors – disabled policy 412, bad bodies 400 naming the field, unknown ids 404', async () => {
    const policyId = await createdId('/replication/policies', {
      name: 'exec-disabled',
      src_registry: { id: ids.hq },
      dest_registry: { id: ids['site-plain'] },
      enabled: false,
    });
    const disabled = await call('POST', '/replication/executions', { policy_id: policyId });
    assert.equal(disabled.status, 412);
    assert.equal(disabled.json.errors[0].code, 'PRECONDITION');
    for (const body of [{}, { policy_id: 'one' }, { policy_id: -1 }, { policy_id: 1, extra: true }]) {
      const reply = await call('POST', '/replication/executions', body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.match(reply.json.errors[0].message, /policy_id|extra/);
    }
    const missing = await call('POST', '/replication/executions', { policy_id: 999_999 });
    assert.equal(missing.status, 404);
    assert.match(missing.json.errors[0].message, /^policy_id: policy 999999 not found/);
    assert.equal((await call('GET', '/replication/executions/424242')).status, 404);
    assert.equal((await call('GET', '/replication/executions?status=Sideways')).status, 400);
    assert.equal((await call('GET', '/replication/executions/abc')).status, 400);
  });

  it('drift – an operator audits, a viewer reads the newest report without starting one; an audit that outlives the wait answers 202 and its status URL the report', async () => {
    await pushImage({ registry: bed.hq }, 'production/audited', 'v1', { layerSizes: [1024] });
    const policyId = await createdId('/replication/policies', {
      name: 'exec-drift',
      src_registry: { id: ids.hq },
      dest_registry: { id: ids['site-plain'] },
      filters: [{ type: 'name', value: 'production/audited' }],
    });
    const token = async (name: string, role: string) =>
      `Bearer ${(await call('POST', '/tokens', { name, role })).json.token}`;
    const operator = { authorization: await token('drift-operator', 'operator') };
    const viewer = { authorization: await token('drift-viewer', 'viewer') };
    const drift = `/replication/policies/${policyId}/drift`;

    assert.equal((await call('GET', `${drift}/last`, undefined, viewer)).status, 404);
    const audit = await call('GET', `${drift}?verify=head`, undefined, operator);
    assert.equal(audit.status, 200, audit.text);
    assert.deepEqual(
      audit.json.destinations.map((d: { name: string; missing: number }) => [d.name, d.missing]),
      [['site-plain', 1]],
    );
    const last = await call('GET', `${drift}/last`, undefined, viewer);
    assert.equal(last.status, 200, last.text);
    assert.deepEqual(last.json, audit.json);
    assert.equal((await call('GET', `${drift}/last?verify=deep`, undefined, viewer)).status, 404);
    assert.equal((await call('GET', `${drift}?verify=deep`, undefined, viewer)).status, 403);

    const impatient = await startRegattaApi(bed, {
      ...regatta,
      environment: { ...regatta.environment, REGATTA_DRIFT_WAIT_SECONDS: 0 },
    });
    try {
      const started = await call('GET', `${drift}?verify=deep`, undefined, {
        ...operator,
        url: impatient.url,
      });
      assert.equal(started.status, 202, started.text);
      const location = String(started.headers.location);
      const runId = (await regatta.client.workflow.getHandle(driftAuditId(policyId, 'deep')).describe())
        .runId;
      assert.equal(location, `/api/v2.0/replication/policies/${policyId}/drift/deep/${runId}`);
      const done = await eventually(
        async () => {
          const reply = await call('GET', location.replace('/api/v2.0', ''), undefined, viewer);
          return reply.status === 200 && reply.json;
        },
        60_000,
        'the deep audit to finish',
      );
      assert.equal(done.verify, 'deep');
      assert.equal(done.destinations[0].missing, 1);
      const newest = await call('GET', `${drift}/last`, undefined, viewer);
      assert.deepEqual(newest.json, done);
    } finally {
      await impatient.stop();
    }
  });

  it('schedules – a scheduled policy owns a Temporal Schedule, paused when disabled, gone when no longer scheduled', async () => {
    const body = {
      name: 'exec-scheduled',
      src_registry: { id: ids.hq },
      dest_registry: { id: ids['site-plain'] },
      trigger: { type: 'scheduled', trigger_settings: { cron: '0 0 */2 * * *' } },
    };
    const policyId = await createdId('/replication/policies', body);
    const schedule = regatta.client.schedule.getHandle(scheduleId(policyId));
    const described = await schedule.describe();
    assert.equal(described.state.paused, false);
    assert.deepEqual(described.spec.calendars?.[0]?.hour, [{ start: 0, end: 23, step: 2 }]);

    assert.equal(
      (await call('PUT', `/replication/policies/${policyId}`, { ...body, enabled: false })).status,
      200,
    );
    assert.equal((await schedule.describe()).state.paused, true);

    assert.equal(
      (await call('PUT', `/replication/policies/${policyId}`, { ...body, trigger: { type: 'manual' } }))
        .status,
      200,
    );
    await assert.rejects(schedule.describe());
  });
});
