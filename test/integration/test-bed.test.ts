import { Client, Connection } from '@temporalio/client';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request, Agent } from 'undici';
import { taskQueue } from '../../contract/index.js';
import { createWorker } from '../../worker/create-worker.js';
import { echoActivities } from '../fixtures/echo-activities.js';
import { pushImage, pushMultiArchImage } from '../harness/images.js';
import { rawGetBlob, rawGetManifest, sha256 } from '../harness/raw-client.js';
import { startCountingProxy } from '../harness/counting-proxy.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

describe('test bed', () => {
  let bed: TestBed;
  before(async () => {
    bed = await startTestBed();
  });
  after(async () => {
    await bed?.stop();
  });

  it('temporal – a workflow round-trips through a real worker', async () => {
    const { worker, connection } = await createWorker({
      address: bed.temporal!.address,
      namespace: 'default',
      activities: echoActivities,
      workflowsPath: fileURLToPath(new URL('../fixtures/echo-workflow.ts', import.meta.url)),
      activityConcurrency: 2,
      workflowConcurrency: 2,
      shutdownGraceSeconds: 1,
    });
    const clientConnection = await Connection.connect({ address: bed.temporal!.address });
    try {
      const client = new Client({ connection: clientConnection });
      const result = await worker.runUntil(
        client.workflow.execute('echo', {
          taskQueue,
          workflowId: `echo-${randomUUID()}`,
          args: [{ text: 'regatta' }],
        }),
      );
      assert.equal(result, 'REGATTA');
    } finally {
      await clientConnection.close();
      await connection.close();
    }
  });

  for (const which of ['hq', 'site-plain', 'site-basic', 'site-tls'] as const) {
    it(`registry ${which} – an image pushed is pulled back by digest`, async () => {
      const registry = which === 'hq' ? bed.hq : bed.sites.find((site) => site.name === which)!;
      const image = await pushImage({ registry }, 'production/app', 'v1', { layerSizes: [1024, 4096] });
      const manifest = await rawGetManifest({ registry }, 'production/app', image.digest);
      assert.equal(manifest.status, 200);
      assert.equal(sha256(manifest.bytes), image.digest);
      for (const [digest, bytes] of image.blobs) {
        const blob = await rawGetBlob({ registry }, 'production/app', digest);
        assert.equal(blob.status, 200);
        assert.deepEqual(blob.bytes, bytes);
      }
      if (registry.credentials) {
        const anonymous = await rawGetManifest(
          { registry, credentials: null },
          'production/app',
          image.digest,
        );
        assert.equal(anonymous.status, 401);
        const wrong = await rawGetManifest(
          { registry, credentials: { username: registry.credentials.username, password: 'wrong' } },
          'production/app',
          image.digest,
        );
        assert.equal(wrong.status, 401);
      }
    });
  }

  it('registry hq – multi-arch OCI index and Docker manifest list are stored verbatim', async () => {
    for (const format of ['oci', 'docker'] as const) {
      const index = await pushMultiArchImage({ registry: bed.hq }, 'production/multi', format, {
        format,
        layerSizes: [512],
      });
      const fetched = await rawGetManifest({ registry: bed.hq }, 'production/multi', format);
      assert.equal(fetched.digest, index.digest);
      assert.equal(fetched.contentType, index.mediaType);
      assert.equal(index.children.length, 2);
    }
  });

  it('implementations – site-basic runs Distribution 3 (it deletes a tag alone), the others 2.8 (they cannot)', async () => {
    for (const registry of [bed.hq, ...bed.sites]) {
      await pushImage({ registry }, 'production/untag', 'v1', { layerSizes: [256] });
      const credentials = registry.credentials;
      const response = await request(`${registry.url}/v2/production/untag/manifests/v1`, {
        method: 'DELETE',
        dispatcher: registry.dispatcher,
        headers: credentials
          ? {
              authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
            }
          : {},
      });
      await response.body.dump();
      const three = registry.name === 'site-basic';
      assert.equal(registry.distribution, three ? 3 : 2, registry.name);
      assert.equal(response.statusCode, three ? 202 : 400, `${registry.name} deleting a tag alone`);
    }
  });

  it('counting proxy delayMs – a registry a round trip away: every answer comes that late, also one it closes the connection after', async () => {
    const site = bed.sites[0];
    const [host, port] = site.url.replace(/^https?:\/\//, '').split(':') as [string, string];
    const delayMs = 25;
    const proxy = await startCountingProxy({ target: { host, port: Number(port) }, delayMs });
    const agent = new Agent();
    const ask = async (url: string, index: number) => {
      const started = performance.now();
      const response = await request(`${url}/v2/absent/manifests/t${index}`, {
        method: 'HEAD',
        dispatcher: agent,
      });
      await response.body.dump();
      return { status: response.statusCode, ms: performance.now() - started };
    };
    try {
      const direct = await ask(site.url, 0);
      // A registry answers a missing manifest and may close the connection at once: the answer still arrives.
      const answers = await Promise.all(Array.from({ length: 12 }, (_, index) => ask(proxy.url, index)));
      for (const answer of answers) {
        assert.equal(answer.status, direct.status);
        assert.ok(answer.ms >= 2 * delayMs - 1, `answered in ${answer.ms.toFixed(1)} ms`);
      }
      assert.equal(proxy.counts.requests, 12);
    } finally {
      await agent.close();
      await proxy.stop();
    }
  });

  it('registry site-tls – refused without the test CA', async () => {
    const untrusting = new Agent();
    try {
      await assert.rejects(
        request(`${bed.sites[2].url}/v2/`, { dispatcher: untrusting }),
        (error: Error & { code?: string }) => {
          assert.match(String(error.code), /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/);
          return true;
        },
      );
    } finally {
      await untrusting.close();
    }
  });

  it('registry identity – a server that took the port while the registry was down is not taken for it', async () => {
    const site = bed.sites[0];
    await site.stop();
    // Answers `/v2/` as a registry would: a readiness check that accepted any 200 would pass.
    const impostor = createServer((_request, response) => response.writeHead(200).end('{}'));
    impostor.listen(Number(site.host.split(':')[1]), '127.0.0.1');
    await once(impostor, 'listening');
    try {
      await assert.rejects(site.start(), /exited while starting/);
    } finally {
      impostor.closeAllConnections();
      impostor.close();
      await once(impostor, 'close');
    }
    await site.start();
    const image = await pushImage({ registry: site }, 'identity/app', 'v1', { layerSizes: [64] });
    assert.equal((await rawGetManifest({ registry: site }, 'identity/app', 'v1')).digest, image.digest);
  });
});
