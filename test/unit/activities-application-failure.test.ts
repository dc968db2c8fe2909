import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { toApplicationFailure } from '../../activities/application-failure.js';
import { NotificationServerError } from '../../notifications/index.js';
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

  it("a receiver's Retry-After – retryable, Temporal's next try not before the time it asked", () => {
    const resumeAt = new Date(Date.now() + 30_000).toISOString();
    const failure = toApplicationFailure(
      new NotificationServerError('POST to https://hooks.example answered 429', 429, resumeAt),
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'NOTIFICATION_SERVER_ERROR');
    assert.equal(failure.nonRetryable, false);
    const delay = Number(failure.nextRetryDelay);
    assert.ok(delay > 25_000 && delay <= 30_000, `next retry in ${delay} ms`);
  });

  it('a receiver that did not say when – retried on the backoff', () => {
    const failure = toApplicationFailure(
      new NotificationServerError('POST to https://hooks.example answered 503', 503),
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.nextRetryDelay, undefined);
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
