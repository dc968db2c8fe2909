import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventKey, eventRunId, manualRunId, runSummary, scheduleId } from '../../service/run-identity.js';
import { retryDelayMs } from '../../workflows/destination-retry.js';
import { snapshotOf } from '../harness/policy-snapshot.js';

const policy = snapshotOf(
  3,
  { name: 'prod to sites', src_registry: { id: 1 }, dest_registries: [{ id: 2 }, { id: 3 }, { id: 4 }] },
  { 2: 'dc-a', 3: 'dc-b', 4: 'dc-c' },
);

describe('run identity', () => {
  it('manual – readable policy, trigger and time', () => {
    assert.equal(
      manualRunId(policy, new Date('2026-11-28T13:00:00.123Z'), 'ab12'),
      'prod-to-sites/manual/20261128T130000Z-ab12',
    );
  });

  it('event – the same event gives the same id; another digest, action or event another', () => {
    const push = {
      action: 'push' as const,
      repository: 'production/api',
      tag: 'v1',
      digest: 'sha256:aa',
      eventId: 'e-1',
    };
    assert.equal(eventRunId(policy, push), eventRunId(policy, { ...push }));
    assert.notEqual(eventRunId(policy, push), eventRunId(policy, { ...push, digest: 'sha256:bb' }));
    assert.notEqual(eventRunId(policy, push), eventRunId(policy, { ...push, action: 'delete' }));
    // The same digest pushed again (a rollback, a re-push after a delete) is another event.
    assert.notEqual(eventRunId(policy, push), eventRunId(policy, { ...push, eventId: 'e-2' }));
    assert.equal(
      eventRunId(policy, push),
      `prod-to-sites-3/event/push/production/api:v1@aa/${eventKey(push)}`,
    );
    assert.match(eventKey(push), /^[0-9a-f]{16}$/);
  });

  it("event key – without the registry's id, the event as delivered: its time tells pushes apart", () => {
    const push = { action: 'push' as const, repository: 'production/api', tag: 'v1', digest: 'sha256:aa' };
    const at = (occurredAt: string) => eventKey({ ...push, occurredAt });
    assert.equal(at('2026-11-29T12:00:00.000Z'), at('2026-11-29T12:00:00.000Z'));
    assert.notEqual(at('2026-11-29T12:00:00.000Z'), at('2026-11-29T12:00:01.000Z'));
  });

  it('schedule – one id per policy', () => {
    assert.equal(scheduleId(3), 'regatta-policy-3');
  });

  const summaries: Array<[string, Parameters<typeof runSummary>[2], string]> = [
    [
      'event',
      [{ repository: 'production/api', tag: 'v1.4' }],
      'prod to sites: production/api:v1.4 → dc-a, dc-b, dc-c',
    ],
    ['manual', undefined, 'prod to sites: manual run → dc-a, dc-b, dc-c'],
    [
      'many',
      ['a', 'b', 'c', 'd', 'e'].map((repository) => ({ repository, tag: 't' })),
      'prod to sites: a:t, b:t, c:t and 2 more → dc-a, dc-b, dc-c',
    ],
  ];
  for (const [name, artifacts, expected] of summaries) {
    it(`summary – ${name}`, () => {
      assert.equal(runSummary(policy, artifacts ? 'event_based' : 'manual', artifacts), expected);
    });
  }

  it('retry delay – doubles from 2 s and stops growing at 30 s', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 9].map(retryDelayMs), [2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});
