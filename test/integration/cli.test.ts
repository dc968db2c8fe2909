import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StartedApi } from '../../server/start-api.js';
import { pushImage } from '../harness/images.js';
import { runCli } from '../harness/regatta-cli.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

// Registries by the test bed's names; URLs, CA and secrets come from the environment.
const registriesYaml = `
registries:
  - name: hq
    url: \${HQ_URL}
    ca_certificate: \${TEST_CA}
    credential:
      type: basic
      access_key: hq-user
      access_secret: \${HQ_PASSWORD}
  - name: site-plain
    url: \${SITE_PLAIN_URL}
  - name: site-basic
    url: \${SITE_BASIC_URL}
    credential:
      type: basic
      access_key: site-user
      access_secret: \${SITE_BASIC_PASSWORD}
  - name: site-tls
    url: \${SITE_TLS_URL}
    ca_certificate: \${TEST_CA}
`;

const fanoutYaml = `
policies:
  - name: cli-production
    src_registry: { name: hq }
    dest_registries: [{ name: site-plain }, { name: site-basic }, { name: site-tls }]
    filters: [{ type: name, value: "cli/production/**" }]
`;

const stagingJson = JSON.stringify({
  policies: [
    {
      name: 'cli-staging',
      src_registry: 'hq',
      dest_registry: 'site-plain',
      filters: [{ type: 'name', value: 'cli/staging/**' }],
    },
  ],
});

describe('regatta CLI against a running API', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const cli = (...args: string[]) => runCli(env, args);

  before(async () => {
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed);
    api = await startRegattaApi(bed, regatta);
    dir = mkdtempSync(join(tmpdir(), 'regatta-cli-'));
    const [plain, basic, tls] = bed.sites;
    env = {
      PATH: process.env.PATH,
      REGATTA_URL: api.url,
      REGATTA_PASSWORD: 'test-admin-password',
      HQ_URL: bed.hq.url,
      HQ_PASSWORD: bed.hq.credentials!.password,
      SITE_PLAIN_URL: plain.url,
      SITE_BASIC_URL: basic.url,
      SITE_BASIC_PASSWORD: basic.credentials!.password,
      SITE_TLS_URL: tls.url,
      TEST_CA: bed.hq.caPem,
    };
    writeFileSync(join(dir, '10-registries.yaml'), registriesYaml);
    writeFileSync(join(dir, '20-fanout.yaml'), fanoutYaml);
    writeFileSync(join(dir, '30-staging.json'), stagingJson);
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await bed?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('apply creates, a second apply changes nothing, a changed file shows the field, and no secret is printed', async () => {
    const first = await cli('policy', 'apply', '-f', dir);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^\+ registry hq$/m);
    assert.match(first.stdout, /^\+ policy cli-production$/m);
    assert.match(first.stdout, /^\+ policy cli-staging$/m);
    assert.match(first.stdout, /6 created, 0 changed, 0 unchanged, 0 pruned/);

    const second = await cli('policy', 'apply', '-f', dir, '--json');
    assert.equal(second.code, 0, second.stderr);
    const plan = JSON.parse(second.stdout) as {
      summary: Record<string, number>;
      changes: Array<{ action: string }>;
    };
    assert.deepEqual(plan.summary, { create: 0, update: 0, unchanged: 6, prune: 0 });

    writeFileSync(join(dir, '30-staging.json'), stagingJson.replace('cli/staging/**', 'cli/staging/v2/**'));
    const changed = await cli('policy', 'apply', '-f', dir, '--dry-run');
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(
      changed.stdout,
      /^~ policy cli-staging\n {4}filters: .*cli\/staging\/\*\*.* -> .*cli\/staging\/v2\/\*\*/m,
    );
    assert.match(changed.stdout, /dry run: 0 would be created, 1 would be changed, 5 unchanged/);
    // Re-sending the secrets (the run test below still logs in with them) changes the two registries that have one.
    const applied = await cli('policy', 'apply', '-f', dir, '--rotate-secrets');
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /^~ registry hq\n {4}secrets: set -> rotated$/m);
    assert.match(applied.stdout, /0 created, 3 changed, 3 unchanged/);

    for (const output of [first, second, changed, applied])
      for (const secret of [
        bed.hq.credentials!.password,
        bed.sites[1].credentials!.password,
        'test-admin-password',
      ])
        assert.ok(!`${output.stdout}${output.stderr}`.includes(secret), 'a secret was printed');
  });

  it('--prune deletes the policies no file names; without --prune they stay', async () => {
    rmSync(join(dir, '30-staging.json'));
    const kept = await cli('policy', 'apply', '-f', dir);
    assert.equal(kept.code, 0, kept.stderr);
    assert.doesNotMatch(kept.stdout, /cli-staging/);

    const pruned = await cli('policy', 'apply', '-f', dir, '--prune');
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /^- policy cli-staging$/m);
    const list = await cli('policy', 'list', '--json');
    assert.deepEqual(
      (JSON.parse(list.stdout) as Array<{ name: string }>).map((policy) => policy.name),
      ['cli-production'],
    );
  });

  it('run --dry-run prints the plan; run --wait exits 0 when the run succeeds; runs and status show it', async () => {
    await pushImage({ registry: bed.hq }, 'cli/production/app', 'v1', { layerSizes: [1024] });
    const plan = await cli('run', 'cli-production', '--dry-run');
    assert.equal(plan.code, 0, `${plan.stdout}${plan.stderr}`);
    assert.equal(
      plan.stdout.match(/^cli\/production\/app:v1\s+\S+\s+would_copy\s+\d+$/gm)?.length,
      3,
      plan.stdout,
    );
    assert.match(plan.stdout, /dry run: 3 to copy \(\d+ bytes\), 0 in place, 0 to delete/);
    const run = await cli('run', 'cli-production', '--wait', '--json');
    assert.equal(run.code, 0, `${run.stdout}${run.stderr}`);
    const execution = JSON.parse(run.stdout) as { id: number; status: string; succeed: number };
    assert.equal(execution.status, 'Succeed');
    assert.equal(execution.succeed, 3);
    assert.match(run.stderr, /\[#{20}\] 3\/3 done, 3 succeeded, 0 failed/);

    const [runs, status] = await Promise.all([
      cli('runs', 'cli-production'),
      cli('status', String(execution.id)),
    ]);
    assert.equal(runs.code, 0, runs.stderr);
    assert.match(runs.stdout, new RegExp(`^${execution.id}\\s+cli-production\\s+Succeed\\s+manual`, 'm'));
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^run \d+ Succeed \[#{20}\] 3\/3 done/m);
  });

  it('fails clearly: a run that fails exits 1 from --wait; unknown policy, registry refusing its credentials', async () => {
    env.WRONG_SECRET = 'not-the-password';
    const denied = join(dir, 'denied');
    mkdirSync(denied);
    writeFileSync(
      join(denied, 'denied.yaml'),
      'policies:\n  - { name: cli-denied, src_registry: hq, dest_registry: site-basic-wrong, filters: [{ type: name, value: "cli/production/**" }] }\n',
    );
    // Independent commands run together: each CLI start costs seconds.
    const [add, unknown] = await Promise.all([
      cli(
        'registry',
        'add',
        'site-basic-wrong',
        bed.sites[1].url,
        '--access-key',
        'site-user',
        '--access-secret-env',
        'WRONG_SECRET',
      ),
      cli('run', 'no-such-policy'),
    ]);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /^\+ registry site-basic-wrong \(id \d+\)$/m);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /policy "no-such-policy" not found \[NOT_FOUND\]/);

    const [applied, ping] = await Promise.all([
      cli('policy', 'apply', '-f', denied),
      cli('registry', 'ping', 'site-basic-wrong'),
    ]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /^\+ policy cli-denied$/m);
    assert.equal(ping.code, 1);
    assert.match(ping.stderr, /ping failed: .*\[API_ERROR\]/);

    const run = await cli('run', 'cli-denied', '--wait', '--json');
    assert.equal(run.code, 1, `${run.stdout}${run.stderr}`);
    assert.equal((JSON.parse(run.stdout) as { status: string }).status, 'Failed');
    assert.ok(!`${add.stdout}${add.stderr}${ping.stderr}${run.stdout}`.includes('not-the-password'));
  });
});
