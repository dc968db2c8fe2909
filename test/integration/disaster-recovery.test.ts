import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { toDriftView } from '../../api/drift-view.js';
import type { StartedApi } from '../../server/start-api.js';
import { scheduleId } from '../../service/run-identity.js';
import { apiSession, type ApiSession, type ExecutionView } from '../harness/api-session.js';
import { pushImage, pushMultiArchImage, type PushedImage } from '../harness/images.js';
import { rawGetBlob, rawGetManifest, rawListTags, sha256 } from '../harness/raw-client.js';
import { runCli } from '../harness/regatta-cli.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import type { RegistryServer } from '../harness/registry-server.js';
import { skopeoPull } from '../harness/skopeo-pull.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

/**
 * Disaster recovery on the real test bed: HQ mirrors to DR with a mirror policy; first DR loses
 * its storage and one mirror run restores it, then HQ loses its storage and is restored from DR
 * by the steps in README's "Restore HQ from the DR site", run here with the real CLI.
 */

// The registries and policy files a site keeps in git (README: "The `regatta` CLI").
const registriesYaml = `
registries:
  - name: hq
    url: \${HQ_URL}
    ca_certificate: \${HQ_CA}
    credential: { type: basic, access_key: hq-user, access_secret: "\${HQ_PASSWORD}" }
  - name: dr
    url: \${DR_URL}
    credential: { type: basic, access_key: site-user, access_secret: "\${DR_PASSWORD}" }
`;

// The HQ -> DR mirror. Its cron (3 a.m. on 29 February) never fires during the test; the schedule
// is there so that disabling the policy is seen to pause it.
const mirrorYaml = (enabled: boolean) => `
policies:
  - name: dr-mirror
    src_registry: hq
    dest_registry: dr
    filters: [{ type: name, value: "**" }]
    trigger: { type: scheduled, trigger_settings: { cron: "0 0 3 29 2 *" } }
    mirror: { prune: true, max_delete_ratio: 0.2, protect: ["*.sig"] }
${enabled ? '' : '    enabled: false\n'}`;

/**
 * README step 3's reverse policy (DR -> HQ, no mirror: nothing is ever pruned at HQ), read from
 * the README itself, so the test restores with exactly the file the README tells people to write.
 */
function readmeRestoreFile(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const heredoc = /^( *)cat > restore-hq\.yaml <<'EOF'\n([\s\S]*?)^\1EOF$/m.exec(readme);
  assert.ok(heredoc, 'README writes restore-hq.yaml');
  const [, indent = '', body = ''] = heredoc;
  return body
    .split('\n')
    .map((line) => line.slice(indent.length))
    .join('\n');
}

type DriftView = ReturnType<typeof toDriftView>;

describe('disaster recovery', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  let session: ApiSession;
  let dir: string;
  /** The site's policy files, as kept in git: registries.yaml and dr-mirror.yaml. */
  let policies: string;
  let mirrorFile: string;
  let env: NodeJS.ProcessEnv;
  let dr: RegistryServer;
  let mirrorId: number;
  /** Every tag at HQ, `repository:tag`, with the bytes pushed. */
  const images = new Map<string, PushedImage>();

  const cli = (...args: string[]) => runCli(env, args);

  async function policyId(name: string): Promise<number> {
    const reply = await session.call('GET', '/replication/policies?page_size=100');
    assert.equal(reply.status, 200, reply.text);
    const policy = (reply.json as Array<{ id: number; name: string }>).find((p) => p.name === name);
    assert.ok(policy, `policy ${name} exists`);
    return policy.id;
  }

  /** A run started as POST /api/v2.0/replication/executions starts it, waited for until it ends. */
  async function runThroughApi(id: number): Promise<ExecutionView> {
    return session.finishedExecution(await session.createdId('/replication/executions', { policy_id: id }));
  }

  const split = (reference: string) => reference.split(':') as [string, string];
  const repositories = () => [...new Set([...images.keys()].map((reference) => split(reference)[0]))];

  /**
   * `registry` serves every tag HQ was given, and nothing else, byte for byte: the tag lists of
   * every repository, each tag's manifest (bytes, digest, media type), the manifests an index
   * names, and every blob (bytes and sha256) under them.
   */
  async function assertServesEveryImage(registry: RegistryServer): Promise<void> {
    for (const repository of repositories()) {
      const expected = [...images.keys()]
        .filter((reference) => split(reference)[0] === repository)
        .map((reference) => split(reference)[1])
        .sort();
      assert.deepEqual(
        (await rawListTags({ registry }, repository)).sort(),
        expected,
        `${registry.name} ${repository}`,
      );
    }
    for (const [reference, image] of images) {
      const [repository, tag] = split(reference);
      const what = `${registry.name} ${reference}`;
      for (const [ref, manifest] of [
        [tag, image] as const,
        ...image.children.map((child) => [child.digest, child] as const),
      ]) {
        const served = await rawGetManifest({ registry }, repository, ref);
        assert.equal(served.status, 200, `${what}: manifest ${ref}`);
        assert.equal(served.digest, manifest.digest, `${what}: Docker-Content-Digest of ${ref}`);
        assert.equal(sha256(served.bytes), manifest.digest, `${what}: sha256 of manifest ${ref}`);
        assert.equal(served.contentType, manifest.mediaType, `${what}: media type of ${ref}`);
        assert.ok(served.bytes.equals(manifest.manifest), `${what}: manifest ${ref} byte-identical`);
      }
      for (const [digest, bytes] of image.blobs) {
        const blob = await rawGetBlob({ registry }, repository, digest);
        assert.equal(blob.status, 200, `${what}: blob ${digest}`);
        assert.equal(sha256(blob.bytes), digest, `${what}: sha256 of blob ${digest}`);
        assert.ok(blob.bytes.equals(bytes), `${what}: blob ${digest} byte-identical`);
      }
    }
  }

  /** skopeo, an independent client, pulls the same files (every platform) from both registries. */
  async function assertSkopeoPullsSame(a: RegistryServer, b: RegistryServer): Promise<void> {
    for (const reference of ['production/multi:2.0', 'production/legacy:3.0']) {
      const [repository, tag] = split(reference);
      const [fromA, fromB] = await Promise.all([
        skopeoPull(a, repository, tag, dir),
        skopeoPull(b, repository, tag, dir),
      ]);
      assert.ok(fromA.size >= 7, `${reference}: index, 2 manifests, 2 configs, 2 layers pulled`);
      assert.deepEqual(
        fromB,
        fromA,
        `${reference}: skopeo pulls the same files from ${a.name} and ${b.name}`,
      );
    }
  }

  async function assertEmpty(registry: RegistryServer): Promise<void> {
    for (const repository of repositories())
      assert.deepEqual(
        await rawListTags({ registry }, repository),
        [],
        `${registry.name} ${repository} is empty`,
      );
    const [reference, image] = [...images][0]!;
    const [digest] = [...image.blobs.keys()];
    assert.equal((await rawGetBlob({ registry }, split(reference)[0], digest!)).status, 404);
  }

  const mirrorSchedulePaused = async () =>
    (await regatta.client.schedule.getHandle(scheduleId(mirrorId)).describe()).state.paused;

  before(async () => {
    bed = await startTestBed();
    dr = bed.sites[1];
    regatta = await startRegattaWorker(bed);
    api = await startRegattaApi(bed, regatta);
    session = apiSession(api.url);
    dir = mkdtempSync(join(tmpdir(), 'regatta-dr-'));
    env = {
      PATH: process.env.PATH,
      REGATTA_URL: api.url,
      REGATTA_PASSWORD: 'test-admin-password',
      HQ_URL: bed.hq.url,
      HQ_CA: bed.hq.caPem,
      HQ_PASSWORD: bed.hq.credentials!.password,
      DR_URL: dr.url,
      DR_PASSWORD: dr.credentials!.password,
    };
    policies = join(dir, 'policies');
    mkdirSync(policies);
    mirrorFile = join(policies, 'dr-mirror.yaml');
    writeFileSync(join(policies, 'registries.yaml'), registriesYaml);
    writeFileSync(mirrorFile, mirrorYaml(true));
    writeFileSync(join(dir, 'restore-hq.yaml'), readmeRestoreFile());

    const hq = { registry: bed.hq };
    images.set(
      'production/app:1.0',
      await pushImage(hq, 'production/app', '1.0', { layerSizes: [4096, 700] }),
    );
    images.set(
      'production/app:1.1',
      await pushImage(hq, 'production/app', '1.1', { layerSizes: [3000], format: 'docker' }),
    );
    images.set(
      'production/multi:2.0',
      await pushMultiArchImage(hq, 'production/multi', '2.0', { format: 'oci', layerSizes: [2048] }),
    );
    images.set(
      'production/legacy:3.0',
      await pushMultiArchImage(hq, 'production/legacy', '3.0', { format: 'docker', layerSizes: [1500] }),
    );
    images.set('base/alpine:3.19', await pushImage(hq, 'base/alpine', '3.19', { layerSizes: [5000] }));

    const applied = await cli('policy', 'apply', '-f', policies);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /3 created, 0 changed, 0 unchanged, 0 pruned/);
    mirrorId = await policyId('dr-mirror');
    assert.equal(await mirrorSchedulePaused(), false);
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await bed?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('DR site emptied → one mirror run restores every image byte-identical', async () => {
    const first = await runThroughApi(mirrorId);
    assert.equal(first.status, 'Succeed', first.status_text);
    await assertServesEveryImage(dr);

    await dr.restart({ wipe: true });
    await assertEmpty(dr);
    const drift = async () => {
      const reply = await session.call('GET', `/replication/policies/${mirrorId}/drift`);
      assert.equal(reply.status, 200, reply.text);
      return reply.json as DriftView;
    };
    const lost = await drift();
    assert.equal(lost.destinations[0]!.missing, images.size);
    assert.equal(lost.in_sync, false);

    const restore = await runThroughApi(mirrorId);
    assert.equal(restore.status, 'Succeed', restore.status_text);
    const tasks = await session.allTasks(restore.id);
    assert.deepEqual(
      tasks.map((task) => [task.src_resource, task.status, task.outcome]).sort(),
      [...images.keys()].sort().map((reference) => [reference, 'Succeed', 'copied']),
    );
    assert.ok(restore.bytes > 0);
    await assertServesEveryImage(bed.hq);
    await assertServesEveryImage(dr);
    await assertSkopeoPullsSame(bed.hq, dr);
    const after = await drift();
    assert.equal(after.in_sync, true, JSON.stringify(after.destinations));
    assert.equal(after.destinations[0]!.recovery_point_seconds, 0);
  });

  it('HQ emptied → restored from DR by the documented steps, byte-identical', async () => {
    // DR is HQ's mirror: record what HQ serves for each tag, and check DR serves the same.
    const recorded = new Map<string, string>();
    for (const reference of images.keys()) {
      const [repository, tag] = split(reference);
      const [atHq, atDr] = await Promise.all([
        rawGetManifest({ registry: bed.hq }, repository, tag),
        rawGetManifest({ registry: dr }, repository, tag),
      ]);
      assert.equal(atHq.status, 200, reference);
      assert.equal(atDr.digest, atHq.digest, `${reference} mirrored`);
      recorded.set(reference, atHq.digest!);
    }

    await bed.hq.restart({ wipe: true });
    await assertEmpty(bed.hq);

    // Step 1: stop the mirror (enabled: false in its file), so an empty HQ cannot prune DR.
    writeFileSync(mirrorFile, mirrorYaml(false));
    const stop = await cli('policy', 'apply', '-f', mirrorFile);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /^~ policy dr-mirror\n {4}enabled: true -> false$/m);
    assert.equal(await mirrorSchedulePaused(), true, 'the mirror schedule is paused');
    const refused = await session.call('POST', '/replication/executions', { policy_id: mirrorId });
    assert.equal(refused.status, 412, 'a disabled mirror cannot be run');

    // Step 2: both registries answer, with the credentials Regatta has.
    const pings = await Promise.all([cli('registry', 'ping', 'hq'), cli('registry', 'ping', 'dr')]);
    for (const ping of pings) {
      assert.equal(ping.code, 0, ping.stderr);
      assert.match(ping.stdout, /is reachable/);
    }

    // Step 3: the reverse policy DR -> HQ.
    const created = await cli('policy', 'apply', '-f', join(dir, 'restore-hq.yaml'));
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^\+ policy restore-hq-from-dr$/m);

    // Step 4: run it and wait; exit 0 only when it succeeds.
    const restored = await cli('run', 'restore-hq-from-dr', '--wait');
    assert.equal(restored.code, 0, `${restored.stdout}${restored.stderr}`);
    assert.match(restored.stdout, /^run \d+ of policy restore-hq-from-dr: Succeed/m);

    // Step 5: verify. `regatta policy list` gives the restore policy's id (and shows the mirror
    // disabled); its deep drift audit: every tag at HQ as at DR, every blob HQ serves downloaded
    // and checked against its digest.
    const list = await cli('policy', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^\d+\s+dr-mirror\s+hq\s+dr\s.*\sfalse$/m);
    const restoreId = Number(/^(\d+)\s+restore-hq-from-dr\s+dr\s+hq\s.*\strue$/m.exec(list.stdout)?.[1]);
    assert.equal(restoreId, await policyId('restore-hq-from-dr'));
    const audit = await session.call('GET', `/replication/policies/${restoreId}/drift?verify=deep`);
    assert.equal(audit.status, 200, audit.text);
    const view = audit.json as DriftView;
    assert.equal(view.in_sync, true, JSON.stringify(view.destinations));
    assert.equal(view.source_tags, images.size);
    assert.equal(view.destinations[0]!.verified, images.size);
    assert.equal(view.destinations[0]!.unservable, 0);
    // And byte for byte, independently of Regatta: HQ serves the digests recorded before the loss.
    for (const [reference, digest] of recorded) {
      const [repository, tag] = split(reference);
      assert.equal((await rawGetManifest({ registry: bed.hq }, repository, tag)).digest, digest, reference);
    }
    await assertServesEveryImage(bed.hq);
    await assertSkopeoPullsSame(dr, bed.hq);

    // Step 6: re-enable the mirror; its next run finds everything in place and changes nothing at DR.
    writeFileSync(mirrorFile, mirrorYaml(true));
    const resume = await cli('policy', 'apply', '-f', mirrorFile);
    assert.equal(resume.code, 0, resume.stderr);
    assert.match(resume.stdout, /^~ policy dr-mirror\n {4}enabled: false -> true$/m);
    assert.equal(await mirrorSchedulePaused(), false, 'the mirror schedule runs again');
    const check = await cli('run', 'dr-mirror', '--wait', '--json');
    assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
    const run = JSON.parse(check.stdout) as ExecutionView;
    assert.equal(run.status, 'Succeed', run.status_text);
    assert.equal(run.bytes, 0, 'nothing copied');
    const tasks = await session.allTasks(run.id);
    assert.deepEqual(
      tasks.map((task) => [task.src_resource, task.operation, task.outcome, task.bytes]).sort(),
      [...images.keys()].sort().map((reference) => [reference, 'copy', 'skipped', 0]),
      'every task skipped, none deleted',
    );
    await assertServesEveryImage(dr);

    // Step 7: remove the restore policy, so nobody copies DR over HQ by mistake later.
    const removed = await session.call('DELETE', `/replication/policies/${restoreId}`);
    assert.equal(removed.status, 200, removed.text);
  });
});
