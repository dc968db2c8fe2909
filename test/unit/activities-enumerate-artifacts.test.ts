// The listing activity's check of the run's only page (`checkIfLast`): what it asks, how it names
// tasks, and when it leaves the check to the run. Registries and the check are stubs here; the
// integration tests run it against real registries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enumerateArtifacts, type ListingContext } from '../../activities/enumerate-artifacts.js';
import type { RegistryClients } from '../../activities/registry-clients.js';
import type { FindUpToDateInput, InPlaceResult } from '../../contract/index.js';
import type { RegistryClient } from '../../registry/index.js';
import { snapshotOf } from '../harness/policy-snapshot.js';

const tags: Record<string, string[]> = { 'apps/api': ['v1', 'v2'], 'team/tools/cli': ['1.0'] };
const source = {
  registry: 'hq.test',
  async *listRepositories() {
    yield Object.keys(tags);
  },
  async *listTags(repository: string) {
    yield tags[repository] ?? [];
  },
  async hasRepository(repository: string) {
    return repository in tags;
  },
} as unknown as RegistryClient;
const clients: RegistryClients = {
  get: async () => source,
  nameOf: (registryId) => `registry-${registryId}`,
  close: async () => undefined,
};

const twoSites = snapshotOf(1, {
  name: 'to-two-sites',
  src_registry: { id: 1 },
  dest_registries: [{ id: 2 }, { id: 3 }],
});
const result: InPlaceResult = { found: [], digests: [], sourceDigestOf: [-1, -1, -1], stale: [] };

/** A check that records what it was asked, answering `answer` (or throwing it). */
function recordingCheck(answer: InPlaceResult | Error, signal = new AbortController().signal) {
  const asked: FindUpToDateInput[] = [];
  const listingCheck: ListingContext = {
    heartbeat: () => undefined,
    check: async (input) => {
      asked.push(input);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    signal,
  };
  return { asked, listingCheck };
}

describe("enumerateArtifacts – the check of the run's only page", () => {
  it('asks every artifact against every destination, each task named by its place in the page', async () => {
    const { asked, listingCheck } = recordingCheck(result);
    const page = await enumerateArtifacts(
      clients,
      { policy: twoSites, pageSize: 10, checkIfLast: { dryRun: true } },
      listingCheck,
    );
    assert.equal(page.inPlace, result);
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.dryRun, true);
    assert.equal(asked[0]!.override, twoSites.override);
    assert.deepEqual(
      asked[0]!.checks.map(({ artifact, targets }) => [
        `${artifact.repository}:${artifact.tag}`,
        targets.map((target) => [target.taskId, target.registryId, target.repository]),
      ]),
      [
        [
          'apps/api:v1',
          [
            [0, 2, 'apps/api'],
            [1, 3, 'apps/api'],
          ],
        ],
        [
          'apps/api:v2',
          [
            [2, 2, 'apps/api'],
            [3, 3, 'apps/api'],
          ],
        ],
        [
          'team/tools/cli:1.0',
          [
            [4, 2, 'team/tools/cli'],
            [5, 3, 'team/tools/cli'],
          ],
        ],
      ],
    );
  });

  it('an artifact whose name cannot be mapped is asked with no target (its tasks fail when planned)', async () => {
    const flattening = snapshotOf(2, {
      name: 'flattening',
      src_registry: { id: 1 },
      dest_registry: { id: 2 },
      dest_namespace: 'mirror',
      dest_namespace_replace_count: 3,
    });
    const { asked, listingCheck } = recordingCheck(result);
    await enumerateArtifacts(
      clients,
      { policy: flattening, pageSize: 10, checkIfLast: { dryRun: false } },
      listingCheck,
    );
    assert.deepEqual(
      asked[0]!.checks.map(({ targets }) => targets.map((target) => [target.taskId, target.repository])),
      [[], [], [[2, 'mirror']]],
    );
    assert.equal(asked[0]!.dryRun, undefined);
  });

  const unchecked: Array<{ name: string; pageSize: number; checkIfLast?: { dryRun: boolean } }> = [
    { name: 'not asked', pageSize: 10 },
    { name: 'the listing goes on past this page', pageSize: 2, checkIfLast: { dryRun: false } },
  ];
  for (const { name, pageSize, checkIfLast } of unchecked) {
    it(`no check – ${name}`, async () => {
      const { asked, listingCheck } = recordingCheck(result);
      const page = await enumerateArtifacts(
        clients,
        { policy: twoSites, pageSize, ...(checkIfLast ? { checkIfLast } : {}) },
        listingCheck,
      );
      assert.equal(asked.length, 0);
      assert.equal(page.inPlace, undefined);
      assert.ok(page.artifacts.length > 0);
    });
  }

  it('a check that fails leaves it to the run: the listing is answered without it', async () => {
    const { listingCheck } = recordingCheck(new Error('the source answered 503'));
    const page = await enumerateArtifacts(
      clients,
      { policy: twoSites, pageSize: 10, checkIfLast: { dryRun: false } },
      listingCheck,
    );
    assert.equal(page.artifacts.length, 3);
    assert.equal(page.inPlace, undefined);
  });

  it("a check cut by the activity's stop ends the activity", async () => {
    const stop = new AbortController();
    stop.abort();
    const { listingCheck } = recordingCheck(new Error('aborted'), stop.signal);
    await assert.rejects(
      enumerateArtifacts(
        clients,
        { policy: twoSites, pageSize: 10, checkIfLast: { dryRun: false } },
        listingCheck,
      ),
      /aborted/,
    );
  });
});
