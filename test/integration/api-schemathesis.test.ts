import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { StartedApi } from '../../server/start-api.js';
import { apiSession } from '../harness/api-session.js';
import { harborRegistryBody } from '../harness/harbor-registry-body.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

/** The version scripts/setup installs (PyPI `schemathesis`, pinned). */
const schemathesisVersion = '4.32.5';
const fuzzFolder = fileURLToPath(new URL('../fuzz/', import.meta.url));
const run = promisify(execFile);

describe('schemathesis – the running API against its own OpenAPI document', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;

  before(async () => {
    bed = await startTestBed();
    // With a worker, so reads of runs get their answer; runs against registries the fuzzer
    // made up fail in the background.
    regatta = await startRegattaWorker(bed);
    api = await startRegattaApi(bed, {
      ...regatta,
      // Docker config credentials on, as a deployment using them has them: a body naming one is
      // then valid when its path stays inside the folder, as the document says.
      environment: {
        ...regatta.environment,
        REGATTA_DRIFT_WAIT_SECONDS: 1,
        REGATTA_DOCKER_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'regatta-docker-config-')),
      },
    });
    const session = apiSession(api.url);
    const hq = await session.createdId('/registries', harborRegistryBody(bed.hq));
    const site = await session.createdId('/registries', harborRegistryBody(bed.sites[0]));
    await session.createdId('/replication/policies', {
      name: 'fuzzed',
      src_registry: { id: hq },
      dest_registry: { id: site },
    });
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await bed?.stop();
  });

  it('every check, auth-ignoring ones included – zero failures', async () => {
    const { stdout: version } = await run('schemathesis', ['--version']);
    assert.match(version, new RegExp(`version ${schemathesisVersion.replaceAll('.', '\\.')}\\b`));
    const started = Date.now();
    const result = await run(
      'schemathesis',
      [
        '--no-color',
        '--config-file',
        'schemathesis.toml',
        'run',
        // 127.0.0.1, where the API listens: `localhost` would try ::1 first on every request.
        `${api.url.replace('localhost', '127.0.0.1')}/api/v2.0/openapi.json`,
        '--auth',
        'admin:test-admin-password',
        '--checks',
        'all',
      ],
      {
        cwd: fuzzFolder,
        timeout: 300_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1' },
      },
    ).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
      assert.fail(`schemathesis exited ${error.code}:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    const summary = result.stdout.trim().split('\n').at(-1) ?? '';
    console.log(
      `schemathesis ${schemathesisVersion}: ${summary} (${Math.round((Date.now() - started) / 1000)} s)`,
    );
    assert.doesNotMatch(summary, /failure|error/i, result.stdout);
    const selected = /Selected: (\d+)\/(\d+)/.exec(result.stdout);
    const tested = /Tested: (\d+)/.exec(result.stdout);
    assert.ok(selected && tested, result.stdout);
    assert.deepEqual(
      [tested[1], selected[1]],
      [selected[2], selected[2]],
      'every operation of the document was tested',
    );
  });
});
