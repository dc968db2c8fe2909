import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RegistryServer } from './registry-server.js';

const run = promisify(execFile);

/**
 * Pulls `repository:reference` (every platform) with skopeo into a `dir:` layout and returns the
 * sha256 of each file it wrote, so pulls from several registries can be compared.
 */
export async function skopeoPull(
  registry: RegistryServer,
  repository: string,
  reference: string,
  workDir: string,
): Promise<Map<string, string>> {
  const dir = mkdtempSync(join(workDir, 'skopeo-'));
  const args = ['copy', '--all', '--preserve-digests', '--retry-times', '0'];
  if (registry.caPem) {
    const certDir = join(dir, 'certs');
    mkdirSync(certDir);
    writeFileSync(join(certDir, 'ca.crt'), registry.caPem);
    args.push('--src-cert-dir', certDir);
  } else {
    args.push('--src-tls-verify=false');
  }
  if (registry.credentials) {
    args.push('--src-creds', `${registry.credentials.username}:${registry.credentials.password}`);
  }
  const separator = reference.includes(':') ? '@' : ':';
  const out = join(dir, 'image');
  try {
    await run(
      'skopeo',
      [...args, `docker://${registry.host}/${repository}${separator}${reference}`, `dir:${out}`],
      {
        timeout: 60_000,
      },
    );
    const files = new Map<string, string>();
    for (const name of readdirSync(out)) {
      if (name === 'version') continue;
      files.set(
        name,
        createHash('sha256')
          .update(readFileSync(join(out, name)))
          .digest('hex'),
      );
    }
    return files;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
