import { randomBytes, scryptSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { EnvironmentError, InvalidInputError } from '../errors/regatta-error.js';
import type { StoreDialect } from './dialect.js';
import { makePrivateFolder, restrictFile } from './private-files.js';
import { SecretBox } from './secret-box.js';

export const secretKeyFileName = 'secret.key';

/** A passphrase shorter than this is refused: scrypt slows guessing, it does not make a short phrase long. */
export const minPassphraseLength = 16;

/** The salt every passphrase was stretched with before each store kept a random one of its own. */
const legacySalt = 'regatta/secret-key/v1';

/** What seals registry secrets: a 32-byte key as given, or a passphrase stretched with the store's salt. */
export type SecretKeySetting = { key: Buffer } | { passphrase: string };

/** 64 hex digits, or base64 of 32 bytes: the key itself rather than a passphrase. */
function rawKey(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  const decoded = Buffer.from(value, 'base64');
  return decoded.length === 32 && /^[A-Za-z0-9+/]{43}=?$/.test(value) ? decoded : undefined;
}

/** Why a REGATTA_SECRET_KEY value is refused, or undefined when it is usable. */
export function secretKeyProblem(value: string): string | undefined {
  if (rawKey(value) || value.length >= minPassphraseLength) return undefined;
  return `a passphrase must be at least ${minPassphraseLength} characters (or give 32 bytes as 64 hex digits or base64)`;
}

/** Reads REGATTA_SECRET_KEY: the key itself, or a passphrase of at least 16 characters. */
export function secretKeySetting(value: string): SecretKeySetting {
  const problem = secretKeyProblem(value);
  if (problem) throw new InvalidInputError(`REGATTA_SECRET_KEY: ${problem}`, 'REGATTA_SECRET_KEY');
  const key = rawKey(value);
  return key ? { key } : { passphrase: value };
}

/**
 * `REGATTA_SECRET_KEY` when set; otherwise the key in `secret.key` in the data folder, created
 * (mode 0600) on first start.
 */
export async function loadSecretKey(
  dataDir: string,
  configured: string | undefined,
  logger: Logger,
): Promise<SecretKeySetting> {
  if (configured !== undefined) return secretKeySetting(configured);
  makePrivateFolder(dataDir);
  const path = join(dataDir, secretKeyFileName);
  try {
    const text = await readFile(path, 'utf8');
    restrictFile(path);
    return { key: keyFromFile(text, path) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  // `wx`: if another process created the file meanwhile, use its key rather than overwrite it.
  try {
    await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { key: keyFromFile(await readFile(path, 'utf8'), path) };
  }
  logger.warn(
    { path },
    'REGATTA_SECRET_KEY is not set: generated a key file for registry secrets; back it up, stored secrets cannot be read without it',
  );
  return { key };
}

function keyFromFile(text: string, path: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new EnvironmentError(`${path} does not hold a base64 32-byte key`);
  return key;
}

export function stretchPassphrase(passphrase: string, salt: Buffer | string): Buffer {
  return scryptSync(passphrase, salt, 32);
}

const keyCheckPurpose = 'meta.key_check';
const keyCheckText = 'regatta';

/**
 * The box that opens this store's secrets, checked against the store's `key_check` so a wrong
 * key is found at start-up, not when a run first needs a secret. A passphrase is stretched with
 * the store's random salt (meta `key_salt`), made by the first process to open a new store and
 * read by every other one; a store whose `key_check` predates stored salts opens with the fixed
 * salt it was made with. One write transaction, so processes opening a new store at once agree.
 */
export function openSecretBox(dialect: StoreDialect, setting: SecretKeySetting): Promise<SecretBox> {
  return dialect.writeTransaction(async (db) => {
    const rows = await db
      .selectFrom('meta')
      .select(['key', 'value'])
      .where('key', 'in', ['key_check', 'key_salt'])
      .execute();
    const meta = new Map(rows.map((row) => [row.key, row.value]));
    const check = meta.get('key_check');
    let key: Buffer;
    if ('key' in setting) {
      key = setting.key;
    } else if (meta.has('key_salt')) {
      key = stretchPassphrase(setting.passphrase, Buffer.from(meta.get('key_salt')!, 'base64'));
    } else if (check !== undefined) {
      key = stretchPassphrase(setting.passphrase, legacySalt);
    } else {
      const salt = randomBytes(16);
      await db
        .insertInto('meta')
        .values({ key: 'key_salt', value: salt.toString('base64') })
        .execute();
      key = stretchPassphrase(setting.passphrase, salt);
    }
    const box = new SecretBox(key);
    if (check === undefined) {
      await db
        .insertInto('meta')
        .values({ key: 'key_check', value: box.seal(keyCheckText, keyCheckPurpose) })
        .execute();
    } else {
      box.open(check, keyCheckPurpose);
    }
    return box;
  });
}
