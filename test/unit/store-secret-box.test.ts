import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { errorCode } from '../../errors/regatta-error.js';
import { SecretBox } from '../../store/secret-box.js';
import { secretKeySetting, type SecretKeySetting } from '../../store/secret-key.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens – what it sealed, for the same purpose', () => {
    const sealed = box.seal('pässword with ünicode', 'registry.access_secret');
    assert.equal(box.open(sealed, 'registry.access_secret'), 'pässword with ünicode');
  });

  it('seals – the same secret differently each time, never in clear', () => {
    const first = box.seal('hunter2hunter2', 'p');
    const second = box.seal('hunter2hunter2', 'p');
    assert.notEqual(first, second);
    assert.ok(!first.includes('hunter2'));
    assert.ok(!Buffer.from(first.split('.')[3]!, 'base64url').toString('utf8').includes('hunter2'));
  });

  const refused: Array<[string, (sealed: string) => string, SecretBox, string]> = [
    ['another key', (sealed) => sealed, new SecretBox(randomBytes(32)), 'p'],
    ['another purpose', (sealed) => sealed, box, 'q'],
    [
      'a flipped byte',
      (sealed) => {
        // A character in the middle of the last part: never padding, so the bytes really change.
        const parts = sealed.split('.');
        const last = parts.pop()!;
        const at = Math.floor(last.length / 2);
        return [...parts, last.slice(0, at) + (last[at] === 'A' ? 'B' : 'A') + last.slice(at + 1)].join('.');
      },
      box,
      'p',
    ],
    ['an unknown version', (sealed) => sealed.replace(/^v1/, 'v9'), box, 'p'],
    ['a truncated value', (sealed) => sealed.split('.').slice(0, 2).join('.'), box, 'p'],
  ];
  for (const [title, change, opener, purpose] of refused) {
    it(`refuses – ${title}, with SECRET_KEY_MISMATCH`, () => {
      const sealed = change(box.seal('secret', 'p'));
      assert.throws(
        () => opener.open(sealed, purpose),
        (error: unknown) => errorCode(error) === 'SECRET_KEY_MISMATCH',
      );
    });
  }

  it('refuses – a key that is not 32 bytes', () => {
    assert.throws(() => new SecretBox(randomBytes(16)), RangeError);
  });
});

describe('secretKeySetting', () => {
  const raw = randomBytes(32);
  const cases: Array<[string, string, SecretKeySetting]> = [
    ['64 hex digits as the key', raw.toString('hex'), { key: raw }],
    ['base64 of 32 bytes as the key', raw.toString('base64'), { key: raw }],
    ['a passphrase of 16 characters', 'sixteen chars!!!', { passphrase: 'sixteen chars!!!' }],
  ];
  for (const [title, setting, expected] of cases) {
    it(`reads – ${title}`, () => {
      assert.deepEqual(secretKeySetting(setting), expected);
    });
  }

  it('refuses – a passphrase of 15 characters, naming the variable', () => {
    assert.throws(
      () => secretKeySetting('fifteen chars!!'),
      (error: Error & { code?: string }) =>
        error.code === 'INVALID_INPUT' && /^REGATTA_SECRET_KEY: a passphrase must be at least 16/.test(error.message),
    );
  });
});
