import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { resolveAdminPassword } from '../../api/auth/admin-password.js';
import { openStore } from '../../store/index.js';
import { migrateToLatest } from '../../store/migrations.js';
import { SecretBox } from '../../store/secret-box.js';
import { stretchPassphrase } from '../../store/secret-key.js';
import { openSqlite } from '../../store/sqlite-dialect.js';

const logger = pino({ level: 'silent' });
const passphrase = 'a passphrase long enough';
const folders: string[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'regatta-at-rest-'));
  folders.push(dir);
  return join(dir, 'data');
};
const mode = (path: string) => statSync(path).mode & 0o777;
const meta = async (dataDir: string, key: string) => {
  const dialect = openSqlite(dataDir);
  try {
    return (await dialect.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())
      ?.value;
  } finally {
    await dialect.db.destroy();
  }
};

describe('secrets at rest', () => {
  after(() => {
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  it('modes – the data folder 0700, the database, key and password files 0600, existing ones tightened', async () => {
    const dataDir = folder();
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'regatta.db'), '', { mode: 0o644 });
    writeFileSync(join(dataDir, 'admin-password'), 'an-old-password-kept\n', { mode: 0o644 });
    const store = await openStore({ dataDir, logger });
    try {
      await store.tokens.create({ name: 'writes-the-wal', role: 'viewer' });
      assert.equal(mode(join(dataDir, 'regatta.db-wal')), 0o600, 'SQLite gives its WAL the file’s mode');
    } finally {
      await store.close();
    }
    await resolveAdminPassword(dataDir, undefined);
    assert.equal(mode(dataDir), 0o700);
    for (const file of ['regatta.db', 'secret.key', 'admin-password'])
      assert.equal(mode(join(dataDir, file)), 0o600, file);

    const fresh = folder();
    const generated = await resolveAdminPassword(fresh, undefined);
    assert.ok(generated.generated);
    assert.equal(mode(fresh), 0o700);
    assert.equal(mode(join(fresh, 'admin-password')), 0o600);
  });

  it('salt – each store stretches a passphrase with its own random salt, which every process reads back', async () => {
    const [first, second] = [folder(), folder()];
    for (const dataDir of [first, second]) {
      const store = await openStore({ dataDir, logger, secretKey: passphrase });
      await store.registries.create({
        name: 'hq',
        url: 'http://127.0.0.1:1',
        credential: { type: 'basic', access_key: 'robot', access_secret: 'the secret' },
      });
      await store.close();
    }
    const [saltA, saltB] = [await meta(first, 'key_salt'), await meta(second, 'key_salt')];
    assert.equal(Buffer.from(saltA!, 'base64').length, 16);
    assert.notEqual(saltA, saltB);
    // Another process on the same store: the same salt, so the same key.
    const again = await openStore({ dataDir: first, logger, secretKey: passphrase });
    try {
      const registry = await again.registries.getWithSecrets(1);
      assert.equal(registry.credential?.type === 'basic' && registry.credential.access_secret, 'the secret');
      assert.equal(await meta(first, 'key_salt'), saltA);
    } finally {
      await again.close();
    }
    await assert.rejects(openStore({ dataDir: first, logger, secretKey: 'another passphrase, wrong' }), {
      code: 'SECRET_KEY_MISMATCH',
    });
  });

  it('legacy – a store sealed with the fixed salt before salts were stored keeps opening, and gets no salt', async () => {
    const dataDir = folder();
    const dialect = openSqlite(dataDir);
    await migrateToLatest(dialect);
    const legacy = new SecretBox(stretchPassphrase(passphrase, 'regatta/secret-key/v1'));
    await dialect.db
      .insertInto('meta')
      .values({ key: 'key_check', value: legacy.seal('regatta', 'meta.key_check') })
      .execute();
    await dialect.db.destroy();
    const store = await openStore({ dataDir, logger, secretKey: passphrase });
    await store.close();
    assert.equal(await meta(dataDir, 'key_salt'), undefined);
  });
});
