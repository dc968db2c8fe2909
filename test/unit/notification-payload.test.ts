import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriftChangedSubject, ReplicationTask, RunEndedSubject } from '../../contract/index.js';
import {
  NotificationPayload,
  driftPayload,
  runPayload,
  slackBody,
  slackText,
  summarizeFailures,
  type EndedRun,
} from '../../notifications/index.js';

function task(id: number, site: number, status: ReplicationTask['status'], code?: string): ReplicationTask {
  return {
    id,
    operation: 'copy',
    status,
    srcResource: `app:v${id}`,
    dstResource: `site-${site}/app:v${id}`,
    destinationRegistryId: site,
    destinationRepository: 'app',
    artifactIndex: id,
    bytes: 0,
    attempts: 1,
    ...(code ? { error: { code, message: `${code} at task ${id}` } } : {}),
  };
}

const subject: RunEndedSubject = {
  kind: 'run',
  workflowId: 'prod/manual/20261129T120000Z-ab12',
  policy: { id: 3, name: 'prod <to> sites' },
  sourceRegistryId: 1,
  sites: [
    { id: 2, name: 'dc-a' },
    { id: 4, name: 'dc-b' },
  ],
};
const names = (id: number) => (id === 2 ? 'dc-a' : 'dc-b');

describe('failures – grouped by site and code, most tasks first, bounded', () => {
  const cases: Array<[string, ReplicationTask[], number, Array<[string, string, number]>, boolean]> = [
    ['none failed', [task(1, 2, 'Succeed'), task(2, 4, 'Succeed')], 10, [], false],
    [
      'one site, one reason, twice',
      [
        task(1, 2, 'Failed', 'REGISTRY_UNAUTHORIZED'),
        task(2, 2, 'Failed', 'REGISTRY_UNAUTHORIZED'),
        task(3, 4, 'Succeed'),
      ],
      10,
      [['dc-a', 'REGISTRY_UNAUTHORIZED', 2]],
      false,
    ],
    [
      'two sites, most first, ties by site',
      [
        task(1, 4, 'Failed', 'REGISTRY_NETWORK'),
        task(2, 2, 'Failed', 'DIGEST_MISMATCH'),
        task(3, 4, 'Failed', 'REGISTRY_NETWORK'),
        task(4, 2, 'Failed', 'REGISTRY_DENIED'),
      ],
      10,
      [
        ['dc-b', 'REGISTRY_NETWORK', 2],
        ['dc-a', 'DIGEST_MISMATCH', 1],
        ['dc-a', 'REGISTRY_DENIED', 1],
      ],
      false,
    ],
    [
      'more reasons than the limit',
      [task(1, 2, 'Failed', 'A'), task(2, 2, 'Failed', 'B'), task(3, 2, 'Failed', 'C')],
      2,
      [
        ['dc-a', 'A', 1],
        ['dc-a', 'B', 1],
      ],
      true,
    ],
    ['a failure without an error', [task(1, 2, 'Failed')], 10, [['dc-a', 'UNKNOWN', 1]], false],
  ];
  for (const [title, tasks, limit, groups, truncated] of cases) {
    it(title, () => {
      const summary = summarizeFailures(tasks, names, limit);
      assert.deepEqual(
        summary.failures.map((failure) => [failure.site, failure.code, failure.tasks]),
        groups,
      );
      assert.equal(summary.truncated, truncated);
    });
  }

  it('keeps the first task of a group as its example and its words', () => {
    const [first] = summarizeFailures([task(7, 2, 'Failed', 'X'), task(8, 2, 'Failed', 'X')], names).failures;
    assert.deepEqual(first, {
      site: 'dc-a',
      code: 'X',
      tasks: 2,
      message: 'X at task 7',
      example: 'site-2/app:v7',
    });
  });
});

const endedRun = (overrides: Partial<EndedRun> = {}): EndedRun => ({
  type: 'run_failed',
  subject,
  executionId: 42,
  trigger: 'manual',
  summary: {
    status: 'Failed',
    statusText: '1/2 succeeded, 1 failed',
    counts: { total: 2, failed: 1, succeed: 1, in_progress: 0, stopped: 0 },
    bytes: 1234,
  },
  endedAt: '2026-11-29T12:00:05.000Z',
  sourceName: 'hq',
  tasks: [task(1, 2, 'Failed', 'REGISTRY_UNAUTHORIZED'), task(2, 4, 'Succeed')],
  tasksComplete: true,
  baseUrl: 'https://regatta.example',
  ...overrides,
});

describe('run payload – what a receiver reads of a run that ended', () => {
  const cases: Array<[string, Partial<EndedRun>, (payload: ReturnType<typeof runPayload>) => void]> = [
    [
      'a failed run: status, counts, reasons, names and the link',
      {},
      (payload) => {
        assert.equal(payload.type, 'run_failed');
        assert.equal(payload.occurred_at, '2026-11-29T12:00:05.000Z');
        assert.deepEqual(payload.policy, { id: 3, name: 'prod <to> sites' });
        assert.deepEqual(payload.source, { id: 1, name: 'hq' });
        assert.deepEqual(payload.sites, subject.sites);
        assert.deepEqual(
          [payload.execution.id, payload.execution.status, payload.execution.failed, payload.execution.total],
          [42, 'Failed', 1, 2],
        );
        assert.equal(payload.execution.url, 'https://regatta.example/api/v2.0/replication/executions/42');
        assert.equal(payload.execution.workflow_id, subject.workflowId);
        assert.deepEqual(
          payload.failures.map((failure) => failure.code),
          ['REGISTRY_UNAUTHORIZED'],
        );
        assert.equal(payload.failures_truncated, false);
      },
    ],
    [
      'a run whose tasks were not all read: said truncated',
      { tasksComplete: false },
      (payload) => assert.equal(payload.failures_truncated, true),
    ],
    [
      'a run that succeeded: no failures',
      {
        type: 'run_succeeded',
        summary: {
          status: 'Succeed',
          statusText: '2/2 succeeded',
          counts: { total: 2, failed: 0, succeed: 2, in_progress: 0, stopped: 0 },
          bytes: 10,
        },
        tasks: [],
      },
      (payload) => {
        assert.equal(payload.type, 'run_succeeded');
        assert.deepEqual(payload.failures, []);
        assert.equal(payload.failures_truncated, false);
      },
    ],
  ];
  for (const [title, overrides, check] of cases) {
    it(title, () => {
      const payload = runPayload(endedRun(overrides));
      check(payload);
      assert.deepEqual(NotificationPayload.parse(payload), payload, 'the payload is what its schema says');
    });
  }
});

describe('drift payload and Slack messages', () => {
  const drift: DriftChangedSubject = {
    kind: 'drift',
    policy: { id: 3, name: 'mirror' },
    site: { id: 2, name: 'dc-a' },
    verify: 'off',
    auditedAt: '2026-11-29T12:01:00.000Z',
    missing: 1,
    different: 0,
    extra: 2,
    unservable: 0,
    recoveryPointSeconds: 30,
  };

  it('drift – the site, its counts and the newest audit', () => {
    assert.deepEqual(driftPayload('drift_detected', drift, 'http://localhost:8080'), {
      type: 'drift_detected',
      occurred_at: '2026-11-29T12:01:00.000Z',
      policy: { id: 3, name: 'mirror' },
      site: { id: 2, name: 'dc-a' },
      drift: { missing: 1, different: 0, extra: 2, unservable: 0, recovery_point_seconds: 30, verify: 'off' },
      url: 'http://localhost:8080/api/v2.0/replication/policies/3/drift/last',
    });
  });

  const failed = runPayload(endedRun());
  const cases: Array<[string, NotificationPayload, RegExp[]]> = [
    [
      'run failed: what, where, why, a link; <> escaped',
      failed,
      [
        /^Regatta: run #42 of \*prod &lt;to&gt; sites\* :x: failed \(hq → dc-a, dc-b\): 1\/2 succeeded, 1 failed/,
        /• dc-a: REGISTRY_UNAUTHORIZED ×1, e\.g\. site-2\/app:v1: REGISTRY_UNAUTHORIZED at task 1/,
        /<https:\/\/regatta\.example\/api\/v2\.0\/replication\/executions\/42\|Open the run>$/,
      ],
    ],
    [
      'drift detected: the counts',
      driftPayload('drift_detected', drift, 'http://localhost:8080'),
      [
        /^:warning: Regatta: \*dc-a\* drifts from \*mirror\*: 1 missing, 0 different, 2 extra/,
        /\|Newest audit>$/,
      ],
    ],
    [
      'drift cleared; a link only where the URL is absolute',
      driftPayload('drift_cleared', drift, ''),
      [/^:large_green_circle: Regatta: \*dc-a\* is in sync with \*mirror\* again$/],
    ],
    [
      'ping',
      { type: 'ping', occurred_at: 't', notification_policy: { id: 1, name: 'ops' } },
      [/^Regatta: a test of notification policy \*ops\*$/],
    ],
  ];
  for (const [title, payload, lines] of cases) {
    it(`Slack – ${title}`, () => {
      const text = slackText(payload);
      for (const line of lines) assert.match(text, line);
      assert.deepEqual(JSON.parse(slackBody(payload)), { text });
    });
  }
});
