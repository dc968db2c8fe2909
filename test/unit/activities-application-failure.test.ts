import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { toApplicationFailure } from '../../activities/application-failure.js';
import { RegistryCatalogRefusedError, RegistryRateLimitedError } from '../../registry/index.js';

describe('toApplicationFailure', () => {
  it('rate limit – retryable, `{ resumeAt }` in its details, Temporal retrying at that time', () => {
    const resumeAt = new Date(Date.now() + 600_000).toISOString();
    const failure = toApplicationFailure(
      new RegistryRateLimitedError(
        'registry-1.docker.io: rate limited',
        { registry: 'registry-1.docker.io' },
        resumeAt,
      ),
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'REGISTRY_RATE_LIMITED');
    assert.equal(failure.nonRetryable, false);
    assert.deepEqual(failure.details, [{ resumeAt }]);
    const delay = Number(failure.nextRetryDelay);
    assert.ok(delay > 590_000 && delay <= 600_000, `next retry in ${delay} ms`);
  });

  it('catalog refused – not retried: the policy has to name its repositories', () => {
    const failure = toApplicationFailure(
      new RegistryCatalogRefusedError('hub does not list its repositories', { registry: 'hub', status: 401 }),
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'REGISTRY_CATALOG_REFUSED');
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.details, undefined);
  });
});
