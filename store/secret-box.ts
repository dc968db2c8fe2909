import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretKeyMismatchError } from './store-errors.js';

const version = 'v1';

/**
 * Seals secrets with AES-256-GCM: a fresh 12-byte IV per value, the tag checked on open. The
 * purpose (e.g. `registry.access_secret`) is bound as associated data, so a sealed value moved
 * to another column does not open.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new RangeError('an AES-256 key has 32 bytes');
    this.#key = key;
  }

  seal(plaintext: string, purpose: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [version, iv, cipher.getAuthTag(), sealed]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(sealed: string, purpose: string): string {
    const [tag, iv, authTag, data] = sealed.split('.');
    if (tag !== version || iv === undefined || authTag === undefined || data === undefined) {
      throw new SecretKeyMismatchError(`a stored ${purpose} is not in the ${version} format`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(Buffer.from(authTag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch (error) {
      throw new SecretKeyMismatchError(`a stored ${purpose} does not open with this secret key`, {
        cause: error,
      });
    }
  }
}
