import { randomBytes, scryptSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { EnvironmentError } from '../errors/regatta-error.js';

export const secretKeyFileName = 'secret.key';

/**
 * The 32-byte key that seals registry secrets. From `REGATTA_SECRET_KEY` when set: 64 hex digits
 * or base64 of 32 bytes are used as is, anything else is a passphrase stretched with scrypt.
 * Otherwise from `secret.key` in the data folder, created (mode 0600) on first start.
 */
export async function loadSecretKey(
  dataDir: string,
  configured: string | undefined,
  logger: Logger,
): Promise<Buffer> {
  if (configured !== undefined) return keyFromSetting(configured);
  const path = join(dataDir, secretKeyFileName);
  try {
    return keyFromFile(await readFile(path, 'utf8'), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  // `wx`: if another process created the file meanwhile, use its key rather than overwrite it.
  try {
    await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return keyFromFile(await readFile(path, 'utf8'), path);
  }
  logger.warn(
    { path },
    'REGATTA_SECRET_KEY is not set: generated a key file for registry secrets; back it up, stored secrets cannot be read without it',
  );
  return key;
}

export function keyFromSetting(value: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  const decoded = Buffer.from(value, 'base64');
  if (decoded.length === 32 && /^[A-Za-z0-9+/]{43}=?$/.test(value)) return decoded;
  return scryptSync(value, 'regatta/secret-key/v1', 32);
}

function keyFromFile(text: string, path: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new EnvironmentError(`${path} does not hold a base64 32-byte key`);
  return key;
}
