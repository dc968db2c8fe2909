import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type {
  DestinationResult,
  FindUpToDateInput,
  ReplicateArtifactInput,
  UpToDateTask,
} from '../../contract/index.js';
import {
  failedReplicationOutcomes,
  failureReason,
  replicationOutcomes,
  upToDateFailures,
  upToDateOutcomes,
  type DestinationOutcome,
} from '../../activities/destination-outcomes.js';

const digest = `sha256:${'b'.repeat(64)}`;

const replication = (operation: 'copy' | 'delete', registryIds: number[]): ReplicateArtifactInput => ({
  sourceRegistryId: 1,
  artifact: { repository: 'production/api', tag: 'v1' },
  destinations: registryIds.map((registryId) => ({ registryId, repository: 'production/api' })),
  operation,
  override: true,
  replicateReferrers: false,
});

const result = (registryId: number, outcome: DestinationResult['outcome'], bytes = 0, code?: string) => ({
  registryId,
  repository: 'production/api',
  ok: outcome !== 'failed',
  outcome,
  bytes,
  ...(code ? { error: { code, message: 'refused', retryable: false } } : {}),
});

describe('replicationOutcomes', () => {
  const cases: Array<[string, ReplicateArtifactInput, DestinationResult[], DestinationOutcome[]]> = [
    [
      'copied to two sites, bytes each',
      replication('copy', [2, 3]),
      [result(2, 'copied', 500), result(3, 'copied', 400)],
      [
        { registryId: 2, operation: 'copy', outcome: 'copied', ok: true, bytes: 500 },
        { registryId: 3, operation: 'copy', outcome: 'copied', ok: true, bytes: 400 },
      ],
    ],
    [
      'one site refused: its error code is the reason',
      replication('copy', [2, 3]),
      [result(2, 'skipped'), result(3, 'failed', 0, 'REGISTRY_UNAUTHORIZED')],
      [
        { registryId: 2, operation: 'copy', outcome: 'skipped', ok: true, bytes: 0 },
        {
          registryId: 3,
          operation: 'copy',
          outcome: 'failed',
          ok: false,
          bytes: 0,
          reason: 'REGISTRY_UNAUTHORIZED',
        },
      ],
    ],
    [
      'a failure without an error is UNKNOWN',
      replication('copy', [4]),
      [{ ...result(4, 'failed'), error: undefined }],
      [{ registryId: 4, operation: 'copy', outcome: 'failed', ok: false, bytes: 0, reason: 'UNKNOWN' }],
    ],
    [
      'deletes keep their operation',
      replication('delete', [2, 3]),
      [result(2, 'deleted'), result(3, 'absent')],
      [
        { registryId: 2, operation: 'delete', outcome: 'deleted', ok: true, bytes: 0 },
        { registryId: 3, operation: 'delete', outcome: 'absent', ok: true, bytes: 0 },
      ],
    ],
  ];
  for (const [name, input, destinations, expected] of cases) {
    it(name, () => {
      assert.deepEqual(replicationOutcomes(input, { digest, destinations }), expected);
    });
  }
});

describe('failedReplicationOutcomes', () => {
  it('every destination of the attempt failed with the activity’s reason', () => {
    assert.deepEqual(failedReplicationOutcomes(replication('copy', [2, 3]), 'REGISTRY_UNAVAILABLE'), [
      {
        registryId: 2,
        operation: 'copy',
        outcome: 'failed',
        ok: false,
        bytes: 0,
        reason: 'REGISTRY_UNAVAILABLE',
      },
      {
        registryId: 3,
        operation: 'copy',
        outcome: 'failed',
        ok: false,
        bytes: 0,
        reason: 'REGISTRY_UNAVAILABLE',
      },
    ]);
  });
});

const check: FindUpToDateInput = {
  sourceRegistryId: 1,
  override: false,
  checks: [
    {
      artifact: { repository: 'a', tag: 'v1' },
      targets: [
        { taskId: 1, registryId: 2, repository: 'a' },
        { taskId: 2, registryId: 3, repository: 'a' },
      ],
    },
    { artifact: { repository: 'b', tag: 'v1' }, targets: [{ taskId: 3, registryId: 2, repository: 'b' }] },
  ],
};

describe('upToDateOutcomes', () => {
  const cases: Array<[string, UpToDateTask[], Array<[number, string]>]> = [
    ['nothing in place', [], []],
    [
      'tasks map back to their registries',
      [
        { taskId: 2, outcome: 'skipped', digest },
        { taskId: 3, outcome: 'kept', digest },
      ],
      [
        [3, 'skipped'],
        [2, 'kept'],
      ],
    ],
    ['a task the check did not ask about is left out', [{ taskId: 9, outcome: 'skipped', digest }], []],
  ];
  for (const [name, found, expected] of cases) {
    it(name, () => {
      assert.deepEqual(
        upToDateOutcomes(check, found),
        expected.map(([registryId, outcome]) => ({ registryId, operation: 'copy', outcome, ok: true })),
      );
    });
  }
});

describe('upToDateFailures', () => {
  it('one failure per registry the check was for', () => {
    assert.deepEqual(upToDateFailures(check, 'REGISTRY_NOT_FOUND'), [
      { registryId: 2, reason: 'REGISTRY_NOT_FOUND' },
      { registryId: 3, reason: 'REGISTRY_NOT_FOUND' },
    ]);
  });
});

describe('failureReason', () => {
  const cases: Array<[string, unknown, string | undefined]> = [
    [
      'ApplicationFailure: its type',
      ApplicationFailure.create({ type: 'REGISTRY_UNAUTHORIZED' }),
      'REGISTRY_UNAUTHORIZED',
    ],
    ['ApplicationFailure without a type', ApplicationFailure.create({ message: 'x' }), 'UNKNOWN'],
    ['cancelled: not a failure', new CancelledFailure('stopped'), undefined],
    ['a coded error', Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'ECONNRESET'],
    ['anything else', new Error('bug'), 'UNKNOWN'],
  ];
  for (const [name, error, expected] of cases) {
    it(name, () => {
      assert.equal(failureReason(error), expected);
    });
  }
});
