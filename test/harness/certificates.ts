import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  caFile: string;
  caPem: string;
  certFile: string;
  keyFile: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA made for this test run and a server certificate it signs for localhost and 127.0.0.1. */
export function makeTestCertificates(dir: string): TestCertificates {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=Regatta Test CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    ],
    dir,
  );
  const server = signCertificate(dir, 'server', '/CN=localhost', [
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    'extendedKeyUsage=serverAuth',
  ]);
  return {
    caFile: join(dir, 'ca.pem'),
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    ...server,
  };
}

/** A key and a certificate for it, `name.key` and `name.pem` in `dir`, signed by the CA made there. */
function signCertificate(
  dir: string,
  name: string,
  subject: string,
  extensions: string[],
): { certFile: string; keyFile: string } {
  writeFileSync(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      subject,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
  return { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}.key`) };
}

/** A client certificate (for mutual TLS) signed by the CA `makeTestCertificates` made in `dir`. */
export function makeClientCertificate(dir: string, name: string): { certFile: string; keyFile: string } {
  return signCertificate(dir, name, `/CN=${name}`, ['extendedKeyUsage=clientAuth']);
}
