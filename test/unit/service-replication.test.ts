// The replication service's use cases on a real store (SQLite in a temporary folder) and a fake
// Temporal client that records what it is asked: the decisions, without a server.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { pino } from 'pino';
import type { ReplicationRunInput } from '../../contract/index.js';
import { errorCode } from '../../errors/regatta-error.js';
import { ReplicationPolicyInput } from '../../policies/index.js';
import { createReplicationService } from '../../service/index.js';
import { openStore, StoreUnavailableError, type Store } from '../../store/index.js';

interface Started {
  workflowType: string;
  options: { workflowId: string; args: [ReplicationRunInput] };
}

/** A Temporal client that answers from the test's settings and records starts and schedule deletes. */
function fakeTemporal(
  settings: { running?: boolean; start?: (workflowId: string) => Error | undefined } = {},
) {
  const started: Started[] = [];
  const deletedSchedules: string[] = [];
  const client = {
    workflow: {
      async *list() {
        if (settings.running) yield { workflowId: 'already-running' };
      },
      async start(workflowType: string, options: Started['options']) {
        const refusal = settings.start?.(options.workflowId);
        if (refusal) throw refusal;
        started.push({ workflowType, options });
        return { firstExecutionRunId: `run-${started.length}` };
      },
    },
    schedule: {
      getHandle: (id: string) => ({
        async delete() {
          deletedSchedules.push(id);
        },
      }),
    },
    connection: { withDeadline: <T>(_deadline: number, work: () => Promise<T>) => work() },
  };
  return { client: client as unknown as Client, started, deletedSchedules };
}

describe('replication service', () => {
  let dataDir: string;
  let store: Store;
  let hq: number;
  let site: number;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'regatta-service-'));
    store = await openStore({ dataDir, secretKey: 'service-test-key', logger: pino({ level: 'silent' }) });
    hq = (
      await store.registries.create({
        name: 'hq',
        url: 'https://hq.example',
        webhook_secret: 'hq-webhook-secret-value',
      })
    ).id;
    site = (await store.registries.create({ name: 'dc-a', url: 'https://dc-a.example' })).id;
  });
  after(async () => {
    await store?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const policy = (body: object) =>
    ReplicationPolicyInput.parse({ src_registry: { id: hq }, dest_registry: { id: site }, ...body });

  it('runs.start – a manual run of the policy as stored, recorded under the run Temporal started', async () => {
    const temporal = fakeTemporal();
    const service = createReplicationService({ store, client: temporal.client });
    const created = await service.policies.create(
      policy({ name: 'manual-run', filters: [{ type: 'name', value: 'prod/**' }] }),
    );
    const execution = await service.runs.start({ policyId: created.id });
    assert.equal(temporal.started.length, 1);
    const [{ workflowType, options }] = temporal.started as [Started];
    assert.equal(workflowType, 'replicationRun');
    assert.match(options.workflowId, /^manual-run\/manual\/\d{8}T\d{6}Z-[0-9a-f]{4}$/);
    const input = options.args[0];
    assert.equal(input.trigger, 'manual');
    assert.equal(input.skipReason, undefined);
    assert.deepEqual(input.policy.destinations, [{ registry_id: site, name: 'dc-a' }]);
    assert.deepEqual(input.policy.filters, [{ type: 'name', value: 'prod/**' }]);
    assert.deepEqual(await store.executions.get(execution.id), {
      ...execution,
      workflowId: options.workflowId,
      runId: 'run-1',
    });
  });

  it('runs.start – single active: with a run in progress the new one is started to be skipped; a plan never is', async () => {
    const temporal = fakeTemporal({ running: true });
    const service = createReplicationService({ store, client: temporal.client });
    const created = await service.policies.create(
      policy({ name: 'single', single_active_replication: true }),
    );
    await service.runs.start({ policyId: created.id });
    await service.runs.start({ policyId: created.id, dryRun: true });
    assert.deepEqual(
      temporal.started.map(({ options }) => [
        options.args[0].skipReason ?? null,
        options.args[0].dryRun ?? false,
      ]),
      [
        ['another execution of this policy is in progress (single_active_replication)', false],
        [null, true],
      ],
    );
  });

  it('runs.start – refuses an unknown policy (404 naming policy_id) and a disabled one (412)', async () => {
    const temporal = fakeTemporal();
    const service = createReplicationService({ store, client: temporal.client });
    const disabled = await service.policies.create(policy({ name: 'disabled', enabled: false }));
    await assert.rejects(service.runs.start({ policyId: 424242 }), (error: unknown) => {
      assert.equal(errorCode(error), 'NOT_FOUND');
      assert.equal((error as { field?: string }).field, 'policy_id');
      return true;
    });
    await assert.rejects(
      service.runs.start({ policyId: disabled.id }),
      (error: unknown) => errorCode(error) === 'PRECONDITION',
    );
    assert.equal(temporal.started.length, 0);
  });

  it('policies.delete – refused (412) while a run is in progress; otherwise the policy, its schedules and its closed executions go', async () => {
    const running = fakeTemporal({ running: true });
    const created = await createReplicationService({ store, client: running.client }).policies.create(
      policy({ name: 'to-delete' }),
    );
    await assert.rejects(
      createReplicationService({ store, client: running.client }).policies.delete(created.id),
      (error: unknown) => errorCode(error) === 'PRECONDITION',
    );
    assert.equal((await store.policies.get(created.id)).name, 'to-delete');
    const closed = await store.executions.create({
      policyId: created.id,
      workflowId: `to-delete/manual/1`,
      trigger: 'manual',
    });
    await store.executions.recordResult(
      closed.workflowId,
      {
        status: 'Succeed',
        statusText: '',
        counts: { total: 0, failed: 0, succeed: 0, in_progress: 0, stopped: 0 },
        bytes: 0,
      },
      '2026-01-01T00:00:00.000Z',
    );
    const idle = fakeTemporal();
    await createReplicationService({ store, client: idle.client }).policies.delete(created.id);
    assert.equal(
      (await store.executions.list({ policyId: created.id })).total,
      0,
      'its closed executions go',
    );
    await assert.rejects(
      store.policies.get(created.id),
      (error: unknown) => errorCode(error) === 'NOT_FOUND',
    );
    assert.deepEqual(idle.deletedSchedules, [
      `regatta-policy-${created.id}`,
      `regatta-policy-${created.id}-drift`,
    ]);
  });

  describe('webhooks', () => {
    const push = (tag: string) => ({
      action: 'push' as const,
      repository: 'prod/api',
      tag,
      digest: `sha256:${tag.padEnd(64, '0')}`,
    });
    let policyId: number;
    before(async () => {
      const temporal = fakeTemporal();
      const service = createReplicationService({ store, client: temporal.client });
      policyId = (
        await service.policies.create(
          policy({
            name: 'on-push',
            trigger: { type: 'event_based' },
            filters: [{ type: 'tag', value: 'v*' }],
          }),
        )
      ).id;
    });

    it('authenticate – refuses a missing or wrong secret (401)', async () => {
      const service = createReplicationService({ store, client: fakeTemporal().client });
      await service.webhooks.authenticate(hq, 'hq-webhook-secret-value');
      for (const secret of [undefined, '', 'wrong-secret-value-here'])
        await assert.rejects(
          service.webhooks.authenticate(hq, secret),
          (error: unknown) => errorCode(error) === 'UNAUTHORIZED',
        );
      await assert.rejects(
        service.webhooks.authenticate(site, 'hq-webhook-secret-value'),
        (error: unknown) => errorCode(error) === 'UNAUTHORIZED',
      );
    });

    it('authenticate – a store that cannot be read is STORE_UNAVAILABLE (503, delivered again), never a 401', async () => {
      const down: Store = {
        ...store,
        registries: {
          ...store.registries,
          verifyWebhookSecret: () =>
            Promise.reject(new StoreUnavailableError('cannot connect to PostgreSQL')),
        },
      };
      const service = createReplicationService({ store: down, client: fakeTemporal().client });
      await assert.rejects(
        service.webhooks.authenticate(hq, 'hq-webhook-secret-value'),
        (error: unknown) => errorCode(error) === 'STORE_UNAVAILABLE',
      );
    });

    it('deliver – one run per matching push; nothing for a tag no policy takes', async () => {
      const temporal = fakeTemporal();
      const service = createReplicationService({ store, client: temporal.client });
      const delivered = await service.webhooks.deliver(hq, [push('v1'), push('latest')]);
      assert.equal(delivered.outcome, 'started');
      assert.equal(delivered.runs.length, 1);
      const [{ options }] = temporal.started as [Started];
      assert.equal(options.workflowId, delivered.runs[0]);
      assert.equal(options.args[0].policy.id, policyId);
      assert.deepEqual(options.args[0].artifacts, [
        { repository: 'prod/api', tag: 'v1', digest: push('v1').digest },
      ]);
      assert.deepEqual(await service.webhooks.deliver(hq, [push('latest')]), {
        outcome: 'ignored',
        runs: [],
      });
    });

    it('deliver – a run that exists already is a duplicate; a refused start is TEMPORAL_UNAVAILABLE (503)', async () => {
      const duplicate = fakeTemporal({
        start: (workflowId) =>
          new WorkflowExecutionAlreadyStartedError('exists', workflowId, 'replicationRun'),
      });
      const again = await createReplicationService({ store, client: duplicate.client }).webhooks.deliver(hq, [
        push('v2'),
      ]);
      assert.equal(again.outcome, 'duplicate');
      assert.equal(again.runs.length, 1);
      const down = fakeTemporal({ start: () => new Error('connection refused') });
      await assert.rejects(
        createReplicationService({ store, client: down.client }).webhooks.deliver(hq, [push('v3')]),
        (error: unknown) => errorCode(error) === 'TEMPORAL_UNAVAILABLE',
      );
    });
  });

  it('schedules – a policy that is not scheduled leaves no schedule behind when saved', async () => {
    const temporal = fakeTemporal();
    const service = createReplicationService({ store, client: temporal.client });
    const created = await service.policies.create(policy({ name: 'unscheduled' }));
    assert.deepEqual(temporal.deletedSchedules, [
      `regatta-policy-${created.id}`,
      `regatta-policy-${created.id}-drift`,
    ]);
    assert.equal(temporal.started.length, 0);
  });
});
