import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { policyNameKey } from '../../contract/index.js';
import type { StartedApi } from '../../server/start-api.js';
import { scheduleId } from '../../service/run-identity.js';
import { leakyActivities } from '../fixtures/leaky-activities.js';
import type { Plant } from '../fixtures/leaky-workflow.js';
import { apiSession, type ApiSession, type ExecutionView } from '../harness/api-session.js';
import { eventually } from '../harness/eventually.js';
import { harborRegistryBody } from '../harness/harbor-registry-body.js';
import { findSecrets, historyTexts, scanAllHistories } from '../harness/history-secrets.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawDeleteManifest } from '../harness/raw-client.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

const webhookSecret = 'history-webhook-secret-5c1e';
/** In every run's input (the policies' filter), never in a workflow id: seen only if payloads are decoded. */
const probe = 'vault-probe';

describe('secrets in workflow history', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  let admin: ApiSession;
  let session: ApiSession;
  /** Every secret the test bed and Regatta hold, by name. */
  const secrets: Record<string, string> = {};
  const images = new Map<string, PushedImage>();
  const policies = { manual: 0, event: 0, scheduled: 0, mirror: 0 };
  let hq: number;

  const finished = async (policyId: number, predicate: (execution: ExecutionView) => boolean) => {
    const execution = await eventually(
      async () => {
        const reply = await session.call('GET', `/replication/executions?policy_id=${policyId}`);
        return (reply.json as ExecutionView[]).find(predicate);
      },
      30_000,
      `an execution of policy ${policyId}`,
    );
    return session.finishedExecution(execution.id);
  };

  before(async () => {
    bed = await startTestBed();
    // The API and the worker read Docker configs from the test bed's folder only.
    regatta = await startRegattaWorker(bed, { environment: { REGATTA_DOCKER_CONFIG_DIR: bed.dir } });
    api = await startRegattaApi(bed, regatta);
    admin = apiSession(api.url);
    const [plain, basic, tls] = bed.sites;
    // The site with basic auth is reached through a Docker config, as `docker login` writes it.
    const dockerAuth = Buffer.from(`${basic.credentials!.username}:${basic.credentials!.password}`).toString(
      'base64',
    );
    const dockerConfig = join(bed.dir, 'docker-config.json');
    writeFileSync(dockerConfig, JSON.stringify({ auths: { [basic.host]: { auth: dockerAuth } } }));
    const token = await admin.call('POST', '/tokens', { name: 'history', role: 'admin' });
    assert.equal(token.status, 201, token.text);
    const apiToken = (token.json as { token: string }).token;
    Object.assign(secrets, {
      'HQ password': bed.hq.credentials!.password,
      'site password': basic.credentials!.password,
      'Docker config auth': dockerAuth,
      'webhook secret': webhookSecret,
      'API token': apiToken,
      'admin password': 'test-admin-password',
      'secret key': regatta.environment.REGATTA_SECRET_KEY,
    });
    session = apiSession(api.url, `Bearer ${apiToken}`);

    hq = await session.createdId(
      '/registries',
      harborRegistryBody(bed.hq, { webhook_secret: webhookSecret }),
    );
    const sites = [
      await session.createdId('/registries', harborRegistryBody(plain)),
      await session.createdId('/registries', {
        name: basic.name,
        url: basic.url,
        credential: { type: 'docker_config', config_path: dockerConfig },
      }),
      await session.createdId('/registries', harborRegistryBody(tls)),
    ];
    for (const tag of ['a', 'b', 'c'])
      images.set(tag, await pushImage({ registry: bed.hq }, 'vault/app', tag, { layerSizes: [2048] }));
    const policy = (name: string, extra: object) =>
      session.createdId('/replication/policies', {
        name,
        src_registry: { id: hq },
        dest_registries: sites.map((id) => ({ id })),
        filters: [{ type: 'name', value: `{vault,${probe}}/**` }],
        ...extra,
      });
    policies.manual = await policy('vault-manual', { trigger: { type: 'manual' } });
    policies.event = await policy('vault-event', { trigger: { type: 'event_based' } });
    policies.scheduled = await policy('vault-scheduled', {
      trigger: { type: 'scheduled', trigger_settings: { cron: '0 0 3 * * *' } },
    });
    policies.mirror = await policy('vault-mirror', { mirror: { prune: true, max_delete_ratio: 0.5 } });
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await bed?.stop();
  });

  it('every workflow shape – no history holds a secret, in plain text or base64, in any payload', async () => {
    // Manual, over the API with a bearer token.
    const manual = await session.finishedExecution(
      await session.createdId('/replication/executions', { policy_id: policies.manual }),
    );
    assert.equal(manual.status, 'Succeed', manual.status_text);
    // Event: the registry's notification, authenticated with the webhook secret.
    const a = images.get('a')!;
    const delivery = await fetch(`${api.url}/webhooks/registries/${hq}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${webhookSecret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          {
            id: randomUUID(),
            timestamp: new Date().toISOString(),
            action: 'push',
            target: { mediaType: a.mediaType, repository: 'vault/app', digest: a.digest, tag: 'a' },
          },
        ],
      }),
    });
    assert.equal(delivery.status, 200, await delivery.text());
    assert.equal((await finished(policies.event, (e) => e.trigger === 'event_based')).status, 'Succeed');
    // Scheduled: the policy's own Temporal Schedule.
    await regatta.client.schedule.getHandle(scheduleId(policies.scheduled)).trigger();
    assert.equal((await finished(policies.scheduled, (e) => e.trigger === 'scheduled')).status, 'Succeed');
    // Mirror: a sync, then a prune of the tag deleted at HQ, then a dry run, then a deep drift audit.
    const sync = await session.finishedExecution(
      await session.createdId('/replication/executions', { policy_id: policies.mirror }),
    );
    assert.equal(sync.status, 'Succeed', sync.status_text);
    await rawDeleteManifest({ registry: bed.hq }, 'vault/app', images.get('c')!.digest);
    const prune = await session.finishedExecution(
      await session.createdId('/replication/executions', { policy_id: policies.mirror }),
    );
    assert.equal(prune.status, 'Succeed', prune.status_text);
    const deleted = (await session.allTasks(prune.id)).filter((task) => task.outcome === 'deleted');
    assert.equal(deleted.length, 3, 'the prune deleted vault/app:c at each site');
    images.set('d', await pushImage({ registry: bed.hq }, 'vault/app', 'd', { layerSizes: [1024] }));
    const plan = await session.finishedExecution(
      await session.createdId('/replication/executions', { policy_id: policies.mirror, dry_run: true }),
    );
    assert.equal(plan.status, 'Succeed', plan.status_text);
    assert.equal(plan.dry_run, true);
    const drift = await session.call('GET', `/replication/policies/${policies.mirror}/drift?verify=deep`);
    assert.equal(drift.status, 200, drift.text);

    const scan = await scanAllHistories(regatta.client, secrets, probe);
    assert.deepEqual(scan.findings, []);
    assert.ok(scan.probeSeen, 'the policy in the runs’ inputs was read from their payloads');
    const types = new Set(scan.workflows.map((workflow) => workflow.type));
    // A run copies its first page itself; a mirror's deletions are a page of their own (a child).
    assert.deepEqual([...types].sort(), ['driftAudit', 'replicationPage', 'replicationRun']);
    const ids = scan.workflows.map((workflow) => workflow.workflowId);
    for (const shape of ['/manual/', '/event/', '/scheduled-', '/page-'])
      assert.ok(
        ids.some((id) => id.includes(shape)),
        `a ${shape} workflow was scanned: ${ids.join(', ')}`,
      );
    // Runs: manual, event, scheduled, mirror sync, prune, plan (each copies its one page itself),
    // the prune's page of deletions, and the drift audit.
    assert.ok(scan.workflows.length >= 8, `${scan.workflows.length} workflows scanned`);
    assert.ok(scan.payloads > scan.workflows.length * 3, `${scan.payloads} payloads decoded`);
  });

  it('the scan itself – a secret planted in any part of a history is found', async () => {
    const secret = `planted-${randomUUID()}`;
    const hidden = [...secret].reverse().join('');
    const queue = `secret-scan-${randomUUID()}`;
    const connection = await NativeConnection.connect({ address: bed.temporal!.address });
    const clientConnection = await Connection.connect({ address: bed.temporal!.address });
    try {
      const worker = await Worker.create({
        connection,
        taskQueue: queue,
        workflowsPath: fileURLToPath(new URL('../fixtures/leaky-workflow.ts', import.meta.url)),
        activities: leakyActivities,
      });
      // A client whose starts carry the secret in a header, as a careless interceptor would.
      const headerLeak: WorkflowClientInterceptor = {
        start: (input, next) =>
          next({ ...input, headers: { ...input.headers, note: defaultPayloadConverter.toPayload(secret) } }),
      };
      const plain = new Client({ connection: clientConnection });
      const withHeader = new Client({
        connection: clientConnection,
        interceptors: { workflow: [headerLeak] },
      });
      const plants: Array<[string, string, () => Promise<string>]> = [];
      /** Runs the leaky workflow to its end; returns its id. */
      const start =
        (client: Client, plant: Plant, options: object = {}, input = { plant, hidden }) =>
        async () => {
          const workflowId = `leak-${randomUUID()}`;
          await client.workflow.execute('leaky', { taskQueue: queue, workflowId, args: [input], ...options });
          return workflowId;
        };
      plants.push([
        'activity input',
        'activityTaskScheduledEventAttributes.input',
        start(plain, 'activity input'),
      ]);
      // As an HTTP Basic header would carry it: `user:secret` in base64.
      const basic = `Basic ${Buffer.from(`robot:${secret}`).toString('base64')}`;
      plants.push([
        'activity input, base64',
        'activityTaskScheduledEventAttributes.input',
        start(
          plain,
          'activity input',
          {},
          { plant: 'activity input', hidden: [...basic].reverse().join('') },
        ),
      ]);
      plants.push([
        'activity result',
        'activityTaskCompletedEventAttributes.result',
        start(plain, 'activity result'),
      ]);
      plants.push([
        'failure details',
        'activityTaskFailedEventAttributes.failure',
        start(plain, 'failure details'),
      ]);
      plants.push([
        'workflow input',
        'workflowExecutionStartedEventAttributes.input',
        start(plain, 'none', {}, { plant: 'none', hidden: secret }),
      ]);
      plants.push([
        'memo',
        'workflowExecutionStartedEventAttributes.memo',
        start(plain, 'none', { memo: { note: secret } }),
      ]);
      plants.push([
        'search attribute',
        'workflowExecutionStartedEventAttributes.searchAttributes',
        start(plain, 'none', { typedSearchAttributes: [{ key: policyNameKey, value: secret }] }),
      ]);
      plants.push(['header', 'workflowExecutionStartedEventAttributes.header', start(withHeader, 'none')]);

      await worker.runUntil(async () => {
        for (const [name, where, run] of plants) {
          const workflowId = await run();
          const history = await plain.workflow.getHandle(workflowId).fetchHistory();
          const findings = findSecrets(workflowId, historyTexts(history).texts, { planted: secret });
          assert.ok(
            findings.some((finding) => finding.path.includes(where)),
            `${name}: found ${JSON.stringify(findings)}`,
          );
          if (name.endsWith('base64')) assert.ok(findings.every((finding) => finding.form === 'base64'));
          // The naive check this scan replaces sees none of it.
          assert.equal(JSON.stringify(history).includes(secret), false, `${name}: visible without decoding`);
        }
      });
    } finally {
      await clientConnection.close();
      await connection.close();
    }
  });
});
