import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StartedApi } from '../../server/start-api.js';
import { freePort } from '../harness/free-port.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawGetManifest } from '../harness/raw-client.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { runCommand } from '../harness/run-command.js';
import { setupTool } from '../harness/setup-tools.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

const script = fileURLToPath(new URL('../python/harbor_replication.py', import.meta.url));

interface Named {
  id: number;
  name: string;
}

/** What test/python/harbor_replication.py got back, each response as harborapi's models read it. */
interface HarborClientRecord {
  ping: string;
  systeminfo: Record<string, unknown>;
  adapters: string[];
  adapterinfos: Record<
    string,
    { endpoint_pattern: { endpoint_type: string; endpoints: object[] }; credential_pattern: object }
  >;
  registry: Named & { url: string; description: string; insecure: boolean };
  registries: Named[];
  registry_info: {
    type: string;
    supported_resource_filters: Array<{ type: string; style: string }>;
    supported_triggers: string[];
  };
  policy: Named & { description: string; src_registry: Named; dest_registry: Named };
  policies: Named[];
  execution: { id: number; status: string; total: number; succeed: number; failed: number };
  executions: Array<{ id: number }>;
  tasks: Array<{ id: number; status: string; src_resource: string; dst_resource: string }>;
  task_log: string;
  running_before_stop: string;
  stopped: { status: string };
  registries_left: Named[];
}

/**
 * A Harbor user's tooling against Regatta: harborapi (PyPI), the maintained Harbor API client,
 * drives the whole replication API on the real test bed. Its models validate every response.
 */
describe('Harbor client library (harborapi)', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  let image: PushedImage;
  let record: HarborClientRecord;

  before(async () => {
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed);
    api = await startRegattaApi(bed, regatta);
    image = await pushImage({ registry: bed.hq }, 'harbor-client/app', 'v1', { layerSizes: [2048, 512] });
    const hq = bed.hq;
    const run = await runCommand(setupTool('python'), [script], {
      env: {
        PATH: process.env.PATH,
        REGATTA_API: `${api.url}/api/v2.0`,
        REGATTA_PASSWORD: 'test-admin-password',
        HQ_URL: hq.url,
        HQ_USER: hq.credentials!.username,
        HQ_PASSWORD: hq.credentials!.password,
        HQ_CA: hq.caPem!,
        SITE_URL: bed.sites[0].url,
        // Nothing listens there: a run to it retries until it is stopped.
        DEAD_URL: `http://127.0.0.1:${await freePort()}`,
        REPOSITORY_FILTER: 'harbor-client/**',
      },
      timeout: 240_000,
    });
    assert.equal(run.code, 0, run.stderr);
    record = JSON.parse(run.stdout) as HarborClientRecord;
  });

  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await bed?.stop();
  });

  it('ping and systeminfo – anonymous, in Harbor shapes', () => {
    assert.equal(record.ping, 'Pong');
    assert.equal(record.systeminfo.auth_mode, 'db_auth');
    assert.equal(record.systeminfo.read_only, false);
    assert.equal(typeof record.systeminfo.current_time, 'string');
  });

  it('adapters and adapterinfos – the registry types Regatta speaks: any URL, Docker Hub at its own; a basic credential', () => {
    assert.deepEqual(record.adapters, ['docker-registry', 'harbor', 'docker-hub']);
    assert.deepEqual(Object.keys(record.adapterinfos).sort(), ['docker-hub', 'docker-registry', 'harbor']);
    const endpoints = Object.fromEntries(
      Object.entries(record.adapterinfos).map(([type, info]) => [type, info.endpoint_pattern]),
    );
    assert.deepEqual(endpoints, {
      'docker-registry': { endpoint_type: 'EndpointPatternTypeStandard', endpoints: [] },
      harbor: { endpoint_type: 'EndpointPatternTypeStandard', endpoints: [] },
      'docker-hub': {
        endpoint_type: 'EndpointPatternTypeFix',
        endpoints: [{ key: 'hub.docker.com', value: 'https://hub.docker.com' }],
      },
    });
    for (const info of Object.values(record.adapterinfos)) {
      assert.deepEqual(info.credential_pattern, {
        access_key_type: 'AccessKeyTypeStandard',
        access_key_data: '',
        access_secret_type: 'AccessSecretTypePass',
        access_secret_data: '',
      });
    }
  });

  it('registries – created, pinged, updated, listed, and their info', () => {
    assert.equal(record.registry.name, 'site');
    assert.equal(record.registry.description, 'first site');
    assert.deepEqual(record.registries.map((registry) => registry.name).sort(), ['dead', 'hq', 'site']);
    assert.deepEqual(record.registry_info, {
      type: 'docker-registry',
      description: '',
      supported_resource_filters: [
        { type: 'name', style: 'input' },
        { type: 'tag', style: 'input' },
      ],
      supported_triggers: ['manual', 'scheduled', 'event_based'],
      supported_copy_by_chunk: false,
    });
  });

  it('policies – created, updated and read back with their registries', () => {
    assert.equal(record.policy.name, 'hq-to-site');
    assert.equal(record.policy.description, 'updated by harborapi');
    assert.equal(record.policy.src_registry.name, 'hq');
    assert.equal(record.policy.dest_registry.name, 'site');
    assert.deepEqual(record.policies.map((policy) => policy.name).sort(), ['hq-to-site']);
  });

  it('executions, tasks and a task log – the image is at the site', async () => {
    assert.equal(record.execution.status, 'Succeed');
    assert.equal(record.execution.total, 1);
    assert.equal(record.execution.succeed, 1);
    assert.deepEqual(
      record.executions.map((execution) => execution.id),
      [record.execution.id],
    );
    assert.equal(record.tasks.length, 1);
    assert.equal(record.tasks[0]!.status, 'Succeed');
    assert.match(record.tasks[0]!.src_resource, /harbor-client\/app/);
    assert.match(record.task_log, /harbor-client\/app/);
    const copied = await rawGetManifest({ registry: bed.sites[0] }, 'harbor-client/app', 'v1');
    assert.equal(copied.status, 200);
    assert.equal(copied.digest, image.digest);
  });

  it('stop – a run that keeps retrying ends Stopped', () => {
    assert.equal(record.running_before_stop, 'InProgress');
    assert.equal(record.stopped.status, 'Stopped');
  });

  it('delete – policies and registries are gone', () => {
    assert.deepEqual(record.registries_left, []);
  });
});
