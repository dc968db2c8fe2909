import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notificationSignature, verifyNotificationSignature } from '../../notifications/index.js';

const secret = 'a-test-hmac-secret-0123';
const body = '{"type":"ping"}';

describe('notification signature – HMAC-SHA256 of "<timestamp>.<body>"', () => {
  it('matches openssl – printf "1700000000.<body>" | openssl dgst -sha256 -hmac <secret>', () => {
    assert.equal(
      notificationSignature(secret, 1_700_000_000, body),
      'sha256=24b7023dd3c2a6eee43f182e95633fe75c9a39ed6ddb509f7f1e41c346a4dcfb',
    );
  });

  const signed = notificationSignature(secret, 1_700_000_000, body);
  const cases: Array<[string, Parameters<typeof verifyNotificationSignature>[1], string, number, boolean]> = [
    ['as sent', { body, timestamp: '1700000000', signature: signed }, secret, 1_700_000_010, true],
    [
      'another secret',
      { body, timestamp: '1700000000', signature: signed },
      'another-secret-of-16+',
      1_700_000_010,
      false,
    ],
    [
      'a body changed',
      { body: '{"type":"pong"}', timestamp: '1700000000', signature: signed },
      secret,
      1_700_000_010,
      false,
    ],
    [
      'a timestamp changed',
      { body, timestamp: '1700000001', signature: signed },
      secret,
      1_700_000_010,
      false,
    ],
    [
      'replayed after 5 minutes',
      { body, timestamp: '1700000000', signature: signed },
      secret,
      1_700_000_301,
      false,
    ],
    ['from the future', { body, timestamp: '1700000000', signature: signed }, secret, 1_699_999_600, false],
    ['no signature', { body, timestamp: '1700000000', signature: undefined }, secret, 1_700_000_010, false],
    ['no timestamp', { body, timestamp: undefined, signature: signed }, secret, 1_700_000_010, false],
    [
      'a timestamp not a number',
      { body, timestamp: '17e8', signature: signed },
      secret,
      1_700_000_010,
      false,
    ],
    [
      'a signature cut short',
      { body, timestamp: '1700000000', signature: signed.slice(0, 20) },
      secret,
      1_700_000_010,
      false,
    ],
  ];
  for (const [title, delivery, key, now, valid] of cases) {
    it(`verifies – ${title}: ${valid ? 'valid' : 'refused'}`, () => {
      assert.equal(verifyNotificationSignature(key, delivery, now), valid);
    });
  }
});
