import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadEnvironment } from '../../server/environment.js';
import { startApi, type StartedApi } from '../../server/start-api.js';
import { startWorker, type StartedWorker } from '../../server/start-worker.js';
import { connectToTemporal } from '../../temporal/connect.js';
import { loadTemporalTls } from '../../temporal/tls.js';
import { apiSession } from '../harness/api-session.js';
import { makeClientCertificate } from '../harness/certificates.js';
import { harborRegistryBody } from '../harness/harbor-registry-body.js';
import { pushImage } from '../harness/images.js';
import { startMtlsProxy, type MtlsProxy } from '../harness/mtls-proxy.js';
import { rawGetManifest } from '../harness/raw-client.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

/**
 * Temporal behind mutual TLS (as a production frontend, or Temporal Cloud, is): the API and a
 * worker configured by TEMPORAL_TLS_* reach it and replicate; without a client certificate, nothing connects.
 */
describe('Temporal over mutual TLS', () => {
  let bed: TestBed;
  let proxy: MtlsProxy;
  let dataDir: string;
  let worker: StartedWorker;
  let api: StartedApi;
  let caFile: string;

  before(async () => {
    bed = await startTestBed();
    proxy = await startMtlsProxy(bed.temporal!.address, bed.certificates);
    caFile = bed.certificates.caFile;
    const client = makeClientCertificate(dirname(caFile), 'regatta-client');
    dataDir = mkdtempSync(join(tmpdir(), 'regatta-tls-'));
    const environment = loadEnvironment({
      TEMPORAL_ADDRESS: proxy.address,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: caFile,
      TEMPORAL_TLS_CLIENT_CERT_PATH: client.certFile,
      TEMPORAL_TLS_CLIENT_KEY_PATH: client.keyFile,
      REGATTA_DATA_DIR: dataDir,
      REGATTA_SECRET_KEY: 'test-only passphrase',
      REGATTA_ADMIN_PASSWORD: 'test-admin-password',
      REGATTA_API_PORT: '0',
      REGATTA_API_HOST: '127.0.0.1',
      REGATTA_WORKER_SHUTDOWN_GRACE_SECONDS: '2',
    });
    const logger = pino({ level: 'warn' });
    worker = await startWorker(environment, proxy.address, logger);
    api = await startApi(environment, proxy.address, logger);
  });

  after(async () => {
    await api?.stop();
    await worker?.stop();
    await proxy?.stop();
    await bed?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('API and worker – a run started over the API replicates, every connection through mTLS', async () => {
    const session = apiSession(api.url);
    const image = await pushImage({ registry: bed.hq }, 'tls/app', 'v1', { layerSizes: [1024] });
    const hq = await session.createdId('/registries', harborRegistryBody(bed.hq));
    const site = await session.createdId('/registries', harborRegistryBody(bed.sites[0]));
    const policy = await session.createdId('/replication/policies', {
      name: 'over-tls',
      src_registry: { id: hq },
      dest_registry: { id: site },
      filters: [{ type: 'name', value: 'tls/**' }],
    });
    const execution = await session.finishedExecution(
      await session.createdId('/replication/executions', { policy_id: policy }),
    );
    assert.equal(execution.status, 'Succeed', execution.status_text);
    assert.equal((await rawGetManifest({ registry: bed.sites[0] }, 'tls/app', 'v1')).digest, image.digest);
    assert.equal((await fetch(`${api.url}/readyz`)).status, 200);
    // The API's client, the worker's native connection and its search-attribute client.
    assert.ok(proxy.accepted >= 3, `${proxy.accepted} TLS connections`);
  });

  it('without a client certificate – the server refuses, connecting fails', async () => {
    const tls = loadTemporalTls({ enabled: true, serverCaCertPath: caFile });
    await assert.rejects(connectToTemporal({ address: proxy.address, tls, timeoutMs: 3_000 }), {
      code: 'ENVIRONMENT',
    });
  });

  it('a file that cannot be read – names its variable', () => {
    assert.throws(() => loadTemporalTls({ enabled: false, serverCaCertPath: join(dataDir, 'missing.pem') }), {
      code: 'ENVIRONMENT',
      message: /TEMPORAL_TLS_SERVER_CA_CERT_PATH/,
    });
  });
});
