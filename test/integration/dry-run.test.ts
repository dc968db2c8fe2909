import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StartedApi } from '../../server/start-api.js';
import { apiSession, type ApiSession, type TaskView } from '../harness/api-session.js';
import { pushImage, type PushedImage } from '../harness/images.js';
import { rawDeleteManifest, rawGetManifest, rawListTags } from '../harness/raw-client.js';
import { startRegattaApi } from '../harness/regatta-api.js';
import { startRegattaWorker, type RegattaUnderTest } from '../harness/regatta-worker.js';
import type { RegistryServer } from '../harness/registry-server.js';
import { startTestBed, type TestBed } from '../harness/test-bed.js';

/** What a plan's outcome becomes when the real run does it. */
const realOutcome: Record<string, string> = { would_copy: 'copied', would_delete: 'deleted' };

/** A task as comparable between a plan and a real run: what, where, outcome, digest, bytes. */
function action(task: TaskView) {
  return {
    what: `${task.operation} ${task.src_resource} -> ${task.dst_resource}`,
    status: task.status,
    outcome: realOutcome[task.outcome ?? ''] ?? task.outcome,
    digest: task.digest,
    bytes: task.bytes,
  };
}
const byWhat = (a: { what: string }, b: { what: string }) => a.what.localeCompare(b.what);

describe('dry-run plans', () => {
  let bed: TestBed;
  let regatta: RegattaUnderTest;
  let api: StartedApi;
  let session: ApiSession;
  let policyId: number;
  const hqImages = new Map<string, PushedImage>();

  /** Every tag in scope at a site with the digest it points to. */
  async function siteState(site: RegistryServer) {
    const state: Record<string, string> = {};
    for (const repository of ['production/app', 'production/lib']) {
      for (const tag of await rawListTags({ registry: site }, repository)) {
        const manifest = await rawGetManifest({ registry: site }, repository, tag);
        state[`${repository}:${tag}`] = String(manifest.digest);
      }
    }
    return state;
  }

  before(async () => {
    bed = await startTestBed();
    regatta = await startRegattaWorker(bed);
    api = await startRegattaApi(bed, regatta);
    session = apiSession(api.url);
    const hq = await regatta.addRegistry(bed.hq);
    const sites = [await regatta.addRegistry(bed.sites[0]), await regatta.addRegistry(bed.sites[1])];
    for (const tag of ['a', 'b', 'c'])
      hqImages.set(tag, await pushImage({ registry: bed.hq }, 'production/app', tag, { layerSizes: [4096] }));
    await pushImage({ registry: bed.hq }, 'production/lib', 'v1', { layerSizes: [2048] });
    const policy = await regatta.createPolicy({
      name: 'dr-plan',
      src_registry: { id: hq },
      dest_registries: sites.map((id) => ({ id })),
      filters: [{ type: 'name', value: 'production/**' }],
      mirror: { prune: true, max_delete_ratio: 0.5, protect: [] },
    });
    policyId = policy.id;
    const first = await session.finishedExecution(
      await session.createdId('/replication/executions', { policy_id: policyId }),
    );
    assert.equal(first.status, 'Succeed', first.status_text);

    // Drift since: b rebuilt, c deleted, d new at HQ; an extra tag at the first site only.
    hqImages.set(
      'b',
      await pushImage({ registry: bed.hq }, 'production/app', 'b', { layerSizes: [3000, 5000] }),
    );
    await rawDeleteManifest({ registry: bed.hq }, 'production/app', hqImages.get('c')!.digest);
    hqImages.set('d', await pushImage({ registry: bed.hq }, 'production/app', 'd', { layerSizes: [6000] }));
    await pushImage({ registry: bed.sites[0] }, 'production/app', 'old', { layerSizes: [100] });
  });
  after(async () => {
    await api?.stop();
    await regatta?.stop();
    await bed?.stop();
  });

  it('plan – says what a real run would copy, skip and delete, with bytes, and writes nothing', async () => {
    const before = await Promise.all(bed.sites.slice(0, 2).map(siteState));
    const planId = await session.createdId('/replication/executions', { policy_id: policyId, dry_run: true });
    const plan = await session.finishedExecution(planId);
    assert.equal(plan.status, 'Succeed', plan.status_text);
    assert.equal(plan.dry_run, true);
    const tasks = await session.allTasks(planId);
    const outcomes = Object.fromEntries(tasks.map((task) => [task.dst_resource, task.outcome]));
    const [site0, site1] = [bed.sites[0].name, bed.sites[1].name];
    assert.deepEqual(outcomes, {
      [`${site0}/production/app:a`]: 'skipped',
      [`${site1}/production/app:a`]: 'skipped',
      [`${site0}/production/app:b`]: 'would_copy',
      [`${site1}/production/app:b`]: 'would_copy',
      [`${site0}/production/app:d`]: 'would_copy',
      [`${site1}/production/app:d`]: 'would_copy',
      [`${site0}/production/lib:v1`]: 'skipped',
      [`${site1}/production/lib:v1`]: 'skipped',
      [`${site0}/production/app:c`]: 'would_delete',
      [`${site1}/production/app:c`]: 'would_delete',
      [`${site0}/production/app:old`]: 'would_delete',
    });
    // b's two new layers, config and manifest; nothing for what is in place.
    const b = hqImages.get('b')!;
    const bBytes = [...b.blobs.values()].reduce((sum, blob) => sum + blob.length, 0) + b.manifest.length;
    const bTask = tasks.find((task) => task.dst_resource === `${site0}/production/app:b`)!;
    assert.equal(bTask.bytes, bBytes);
    assert.equal(bTask.digest, b.digest);
    assert.equal(
      plan.bytes,
      tasks.reduce((sum, task) => sum + task.bytes, 0),
    );
    assert.match(plan.status_text, /^dry run: 4 to copy \(\d+ bytes\), 4 in place, 3 to delete/);
    assert.deepEqual(await Promise.all(bed.sites.slice(0, 2).map(siteState)), before);
  });

  it('real run – does exactly the plan made right before it', async () => {
    const planId = await session.createdId('/replication/executions', { policy_id: policyId, dry_run: true });
    assert.equal((await session.finishedExecution(planId)).status, 'Succeed');
    const runId = await session.createdId('/replication/executions', { policy_id: policyId });
    const run = await session.finishedExecution(runId);
    assert.equal(run.status, 'Succeed', run.status_text);
    assert.equal(run.dry_run, false);
    const planned = (await session.allTasks(planId)).map(action).sort(byWhat);
    const done = (await session.allTasks(runId)).map(action).sort(byWhat);
    assert.deepEqual(done, planned);
    assert.ok(
      done.some((task) => task.outcome === 'copied') && done.some((task) => task.outcome === 'deleted'),
    );
    // And the sites now hold what HQ holds.
    const expected = {
      'production/app:a': hqImages.get('a')!.digest,
      'production/app:b': hqImages.get('b')!.digest,
      'production/app:d': hqImages.get('d')!.digest,
    };
    for (const site of bed.sites.slice(0, 2)) {
      const state = await siteState(site);
      assert.deepEqual(
        Object.fromEntries(Object.entries(state).filter(([key]) => key.startsWith('production/app:'))),
        expected,
      );
    }
  });
});
