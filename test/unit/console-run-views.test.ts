import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { ReplicationTask } from '../../contract/index.js';
import { DeliveryTable } from '../../console/views/notification-views.js';
import { RunFacts, TaskTable } from '../../console/views/run-views.js';
import type { ExecutionFacts } from '../../service/index.js';
import type { Session } from '../../console/session/session-store.js';

const failed: ReplicationTask = {
  id: 2,
  operation: 'copy',
  status: 'Failed',
  srcResource: 'production/app:v1',
  dstResource: 'dc-a/production/app:v1',
  destinationRegistryId: 2,
  destinationRepository: 'production/app',
  artifactIndex: 0,
  bytes: 0,
  attempts: 3,
  error: { code: 'REGISTRY_UNAUTHORIZED', message: 'dc-a refused the credentials' },
};
const copied: ReplicationTask = {
  ...failed,
  id: 1,
  status: 'Succeed',
  outcome: 'copied',
  bytes: 2048,
  error: undefined,
};

function session(role: 'admin' | 'viewer'): Session {
  return { id: 'id', user: { name: role, role }, csrfToken: 'csrf-token', createdAt: 0, lastSeenAt: 0 };
}

const running: ExecutionFacts = {
  id: 9,
  policyId: 1,
  trigger: 'manual',
  workflowId: 'fan-out/manual/20260101T000000Z-abcd',
  workflowStatus: 'RUNNING',
  status: 'InProgress',
  dryRun: false,
  startTime: new Date('2026-01-01T00:00:00.000Z'),
};

describe('run views', () => {
  it('tasks – a failed task opens onto its log, with the error code and message; others have none', () => {
    const html = renderToString(
      h(TaskTable, {
        runId: 9,
        tasks: [copied, failed],
        matching: 2,
        page: 1,
        pageSize: 50,
        status: undefined,
        plan: false,
      }),
    );
    assert.equal(html.match(/<details>/g)?.length, 1);
    assert.match(html, /<pre class="log">task 2: copy production\/app:v1 -> dc-a\/production\/app:v1\n/);
    assert.match(html, /error REGISTRY_UNAUTHORIZED: dc-a refused the credentials/);
  });

  const stopCases: Array<[string, ExecutionFacts, 'admin' | 'viewer', boolean]> = [
    ['an admin, a running run', running, 'admin', true],
    ['a viewer, a running run', running, 'viewer', false],
    [
      'an admin, an ended run',
      { ...running, workflowStatus: 'COMPLETED', status: 'Succeed' },
      'admin',
      false,
    ],
  ];
  for (const [name, run, role, shown] of stopCases) {
    it(`stop – ${name}: ${shown ? 'a' : 'no'} Stop button`, () => {
      const html = renderToString(
        h(RunFacts, { run, policyName: 'fan-out', temporalUrl: 'http://ui/x', session: session(role) }),
      );
      assert.equal(html.includes('action="/runs/9/stop"'), shown);
    });
  }

  it('notifications – a delivery a row: its policy, event, status, tries, last answer and error; none, no section', () => {
    const html = renderToString(
      h(DeliveryTable, {
        deliveries: [
          {
            id: 4,
            policyId: 1,
            policyName: 'ops',
            eventType: 'run_failed',
            status: 'pending',
            attempts: 3,
            lastStatusCode: 503,
            lastErrorCode: 'NOTIFICATION_SERVER_ERROR',
            lastError: 'POST to https://hooks.example answered 503',
            creationTime: 't',
            updateTime: 't',
          },
        ],
      }),
    );
    assert.match(html, /<h2>Notifications<\/h2>/);
    assert.match(
      html,
      /<tr data-delivery="4"><td>ops<\/td><td>run_failed<\/td><td>pending<\/td><td>3<\/td><td>503<\/td><td>NOTIFICATION_SERVER_ERROR: POST to https:\/\/hooks\.example answered 503<\/td><\/tr>/,
    );
    assert.equal(renderToString(h(DeliveryTable, { deliveries: [] })), '');
  });
});
