import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { loadEnvironment } from '../../server/environment.js';
import { startApi, type StartedApi } from '../../server/start-api.js';
import { makeTestCertificates, type TestCertificates } from '../harness/certificates.js';
import { startTestTemporal, type TestTemporal } from '../harness/temporal-server.js';

const admin = `Basic ${Buffer.from('admin:tls-test-admin-password').toString('base64')}`;

describe('API over https – REGATTA_TLS_CERT and REGATTA_TLS_KEY', () => {
  let dir: string;
  let certificates: TestCertificates;
  let temporal: TestTemporal;
  let api: StartedApi;
  const environment = (tls: Record<string, string>) =>
    loadEnvironment({
      TEMPORAL_ADDRESS: temporal.address,
      REGATTA_DATA_DIR: join(dir, 'data'),
      REGATTA_SECRET_KEY: 'tls-test secret passphrase',
      REGATTA_ADMIN_PASSWORD: 'tls-test-admin-password',
      REGATTA_API_PORT: '0',
      REGATTA_API_HOST: '127.0.0.1',
      ...tls,
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'regatta-tls-'));
    certificates = makeTestCertificates(dir);
    temporal = await startTestTemporal();
    api = await startApi(
      environment({ REGATTA_TLS_CERT: certificates.certFile, REGATTA_TLS_KEY: certificates.keyFile }),
      temporal.address,
      pino({ level: 'silent' }),
    );
  });
  after(async () => {
    await api?.stop();
    await temporal?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves – the API over https with the configured certificate, nosniff on every answer', async () => {
    assert.match(api.url, /^https:\/\/localhost:\d+$/);
    const trusting = new Agent({ connect: { ca: certificates.caPem } });
    try {
      for (const [path, headers] of [
        ['/healthz', {}],
        ['/api/v2.0/registries', { authorization: admin }],
      ] as const) {
        const response = await request(`${api.url}${path}`, { dispatcher: trusting, headers });
        assert.equal(response.statusCode, 200, path);
        assert.equal(response.headers['x-content-type-options'], 'nosniff');
        await response.body.dump();
      }
    } finally {
      await trusting.close();
    }
    // A client without the CA refuses the certificate: it is the configured one, not a default.
    await assert.rejects(request(`${api.url}/healthz`), /self[- ]signed|unable to verify|certificate/i);
    // Plain HTTP on the https port gets no API answer.
    const plain = await request(api.url.replace('https:', 'http:') + '/healthz').then(
      (response) => response.statusCode,
      () => 'refused',
    );
    assert.notEqual(plain, 200);
  });

  it('start-up – an unreadable or non-PEM file stops the API with an error naming the variable', async () => {
    const notPem = join(dir, 'not-a-key.pem');
    writeFileSync(notPem, 'not a key\n');
    const cases: Array<[Record<string, string>, RegExp]> = [
      [
        { REGATTA_TLS_CERT: certificates.certFile, REGATTA_TLS_KEY: join(dir, 'missing.key') },
        /^REGATTA_TLS_KEY: cannot read .*missing\.key \(ENOENT\)$/,
      ],
      [
        { REGATTA_TLS_CERT: notPem, REGATTA_TLS_KEY: certificates.keyFile },
        /^REGATTA_TLS_CERT, REGATTA_TLS_KEY: not a PEM certificate chain/,
      ],
      [
        { REGATTA_TLS_CERT: certificates.certFile, REGATTA_TLS_KEY: notPem },
        /^REGATTA_TLS_CERT, REGATTA_TLS_KEY: not a PEM certificate chain/,
      ],
    ];
    for (const [tls, message] of cases) {
      await assert.rejects(
        startApi(environment(tls), temporal.address, pino({ level: 'silent' })),
        (error: Error) => {
          assert.match(error.message, message);
          return true;
        },
      );
    }
  });
});
