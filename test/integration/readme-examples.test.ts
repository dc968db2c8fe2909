import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadEnvironment } from '../../server/environment.js';
import type { StartedApi } from '../../server/start-api.js';
import { apiSession, type ApiSession, type ExecutionView } from '../harness/api-session.js';
import { freePort } from '../harness/free-port.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawGetManifest } from '../harness/raw-client.js';
import { runCli } from '../harness/regatta-cli.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaProcess, type RegattaProcess } from '../harness/regatta-process.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startRegistryServer, type RegistryServer } from '../harness/registry-server.js';
import { runCommand } from '../harness/run-command.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The first ```sh block of README's "Using it": the API walkthrough, as a newcomer copies it. */
function readmeWalkthrough(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Using it\n'));
  const block = /```sh\n([\s\S]*?)\n```/.exec(section);
  assert.ok(block?.[1], 'README\'s "Using it" has a sh block');
  return block[1];
}

/**
 * README's examples against the real system. The walkthrough runs as written, in the folder where
 * `regatta dev` (what `npm start` runs) keeps `data/`, with only what a reader changes replaced:
 * the API's port, the example hosts by test-bed registries (TLS from the test CA, which the
 * process trusts through NODE_EXTRA_CA_CERTS), and HQ's user and the `...` password. Every curl
 * must succeed (`--fail-with-body`). Then `regatta policy apply -f examples/` applies the example files.
 */
describe("README's examples", () => {
  let bed: TestBed;
  let dcB: RegistryServer;
  let dcC: RegistryServer;
  let dir: string;
  let regatta: RegattaProcess;
  let port: number;
  let session: ApiSession;
  let image: PushedImage;
  let walkthrough: { code: number; stdout: string; stderr: string };

  before(async () => {
    bed = await startTestBed();
    dir = mkdtempSync(join(tmpdir(), 'regatta-readme-'));
    const folder = (name: string) => {
      mkdirSync(join(dir, name));
      return join(dir, name);
    };
    const tlsSite = (name: string) => startRegistryServer({ name, dir: folder(name), tls: bed.certificates });
    [dcB, dcC] = await Promise.all([tlsSite('dc-b'), tlsSite('dc-c')]);
    image = await pushImage({ registry: bed.hq }, 'production/app', '1.0', { layerSizes: [4096, 1024] });
    port = await freePort();
    const environment = loadEnvironment({
      TEMPORAL_ADDRESS: bed.temporal!.address,
      REGATTA_API_PORT: String(port),
      REGATTA_WORKER_METRICS_ADDRESS: 'off',
      REGATTA_WORKER_SHUTDOWN_GRACE_SECONDS: '2',
    });
    regatta = startRegattaProcess('dev', environment, /Regatta API: +http/, {
      cwd: folder('checkout'),
      env: { NODE_EXTRA_CA_CERTS: bed.certificates.caFile },
    });
    await regatta.ready;
    const password = readFileSync(join(dir, 'checkout/data/admin-password'), 'utf8').trim();
    session = apiSession(
      `http://localhost:${port}`,
      `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`,
    );

    const hq = bed.hq;
    const script = readmeWalkthrough()
      .replaceAll('localhost:8080', `localhost:${port}`)
      .replaceAll('https://hq.example:5000', hq.url)
      .replaceAll('https://dc-a.example:5000', bed.sites[2].url)
      .replaceAll('https://dc-b.example:5000', dcB.url)
      .replaceAll('https://dc-c.example:5000', dcC.url)
      .replace(
        '"access_key":"robot","access_secret":"..."',
        `"access_key":"${hq.credentials!.username}","access_secret":"${hq.credentials!.password}"`,
      );
    const strictCurl = `set -euo pipefail\ncurl() { command curl --fail-with-body --silent --show-error "$@"; echo; }\n`;
    walkthrough = await runCommand('bash', ['-c', strictCurl + script], {
      cwd: join(dir, 'checkout'),
      env: { PATH: process.env.PATH },
    });
  });

  after(async () => {
    await regatta?.kill('SIGTERM');
    await Promise.all([dcB?.stop(), dcC?.stop()]);
    await bed?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the API walkthrough – every command succeeds as written', () => {
    assert.equal(walkthrough.code, 0, `${walkthrough.stdout}\n${walkthrough.stderr}`);
  });

  it('the walkthrough – made the registries and the fan-out policy it describes, and ran it', async () => {
    const registries = await session.call('GET', '/registries');
    assert.deepEqual(
      (registries.json as Array<{ id: number; name: string }>).map(({ id, name }) => [id, name]),
      [
        [1, 'hq'],
        [2, 'dc-a'],
        [3, 'dc-b'],
        [4, 'dc-c'],
      ],
    );
    const policy = (await session.call('GET', '/replication/policies/1')).json as {
      name: string;
      dest_registries: Array<{ name: string }>;
    };
    assert.equal(policy.name, 'prod-to-sites');
    assert.deepEqual(
      policy.dest_registries.map((registry) => registry.name),
      ['dc-a', 'dc-b', 'dc-c'],
    );
    // The walkthrough stops run 1 right after starting it: it ends Stopped, or Succeed if it was quicker.
    const run: ExecutionView = await session.finishedExecution(1);
    assert.ok(['Succeed', 'Stopped'].includes(run.status), run.status);
    // Tasks came back as Harbor's JSON list.
    assert.match(walkthrough.stdout, /^\[.*\]$/m);
    // A run to the end copies production/app to every site, byte for byte.
    const again = await session.finishedExecution(
      await session.createdId('/replication/executions', { policy_id: 1 }),
    );
    assert.equal(again.status, 'Succeed', again.status_text);
    for (const site of [bed.sites[2], dcB, dcC])
      assert.equal((await rawGetManifest({ registry: site }, 'production/app', '1.0')).digest, image.digest);
  });

  describe('examples/ – regatta policy apply', () => {
    let worker: RegattaUnderTest;
    let api: StartedApi;
    let env: NodeJS.ProcessEnv;
    const examples = join(root, 'examples');

    before(async () => {
      // A store of its own: the example files name registries the walkthrough made too.
      worker = await startRegattaWorker(bed, { worker: false });
      api = await startRegattaApi(bed, worker);
      env = {
        PATH: process.env.PATH,
        REGATTA_URL: api.url,
        REGATTA_PASSWORD: 'test-admin-password',
        HQ_PASSWORD: 'hq-secret',
        HQ_WEBHOOK_SECRET: 'hq-webhook-secret-0123',
        DC_A_PASSWORD: 'a-secret',
        DC_B_PASSWORD: 'b-secret',
        DC_C_PASSWORD: 'c-secret',
        DR_PASSWORD: 'dr-secret',
      };
    });
    after(async () => {
      await api?.stop();
      await worker?.stop();
    });

    it('dry run, apply, apply again – every registry and policy created once, then nothing changes', async () => {
      const plan = await runCli(env, ['policy', 'apply', '-f', examples, '--dry-run']);
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(plan.stdout, /dry run: 8 would be created, 0 would be changed/);
      const applied = await runCli(env, ['policy', 'apply', '-f', examples]);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /^8 created, 0 changed, 0 unchanged, 0 pruned$/m);
      for (const name of ['hq', 'dc-a', 'dc-b', 'dc-c', 'dr'])
        assert.match(applied.stdout, new RegExp(`^\\+ registry ${name}$`, 'm'));
      for (const name of ['production-to-sites', 'production-to-sites-nightly', 'dr-mirror'])
        assert.match(applied.stdout, new RegExp(`^\\+ policy ${name}$`, 'm'));
      const again = await runCli(env, ['policy', 'apply', '-f', examples]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^0 created, 0 changed, 8 unchanged, 0 pruned$/m);
      const list = await runCli(env, ['policy', 'list', '--json']);
      const policies = JSON.parse(list.stdout) as Array<{
        name: string;
        dest_registries: Array<{ name: string }>;
      }>;
      assert.deepEqual(
        policies.find((policy) => policy.name === 'production-to-sites')?.dest_registries.map((r) => r.name),
        ['dc-a', 'dc-b', 'dc-c'],
      );
    });
  });
});
