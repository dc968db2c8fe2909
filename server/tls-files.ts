import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { TlsFiles } from '../api/serve.js';
import { EnvironmentError } from '../errors/regatta-error.js';
import type { Environment } from './environment.js';

async function readPem(variable: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new EnvironmentError(
      `${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/**
 * The API's certificate and key from REGATTA_TLS_CERT and REGATTA_TLS_KEY (environment.ts holds
 * that both or neither are set), checked to be a PEM chain and its key before the API listens.
 */
export async function readTlsFiles(
  environment: Pick<Environment, 'REGATTA_TLS_CERT' | 'REGATTA_TLS_KEY'>,
): Promise<TlsFiles | undefined> {
  const { REGATTA_TLS_CERT: certPath, REGATTA_TLS_KEY: keyPath } = environment;
  if (!certPath || !keyPath) return undefined;
  const files = {
    cert: await readPem('REGATTA_TLS_CERT', certPath),
    key: await readPem('REGATTA_TLS_KEY', keyPath),
  };
  try {
    createSecureContext(files);
  } catch (error) {
    // OpenSSL's reason names neither file nor key material.
    throw new EnvironmentError(
      `REGATTA_TLS_CERT, REGATTA_TLS_KEY: not a PEM certificate chain and its private key (${(error as Error).message})`,
    );
  }
  return files;
}
