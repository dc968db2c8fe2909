// The listing activity's check of the run's only page (`checkIfLast`), made as the page is
// listed: what it asks, how it names tasks, and when it leaves the check to the run. Registries
// are stubs answering HEADs from tables; the integration tests run it against real registries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enumerateArtifacts, type ListingContext } from '../../activities/enumerate-artifacts.js';
import { checkAsListed } from '../../activities/find-up-to-date.js';
import type { RegistryClients } from '../../activities/registry-clients.js';
import type { EnumerateArtifactsInput } from '../../contract/index.js';
import { RegistryRateLimitedError, type RegistryClient } from '../../registry/index.js';
import { snapshotOf } from '../harness/policy-snapshot.js';

const digest = (seed: string) => `sha256:${seed.repeat(64)}`;
/** Each registry's tags and the digest each points to; HQ (1) is the source. */
const registries: Record<number, Record<string, Record<string, string>>> = {
  1: { 'apps/api': { v1: digest('a'), v2: digest('b') }, 'team/tools/cli': { '1.0': digest('c') } },
  2: { 'apps/api': { v1: digest('a'), v2: digest('b') }, 'team/tools/cli': { '1.0': digest('c') } },
  3: { 'apps/api': { v1: digest('a'), v2: digest('e') } },
};

/** Registries answering from the tables; `refuse` makes one answer every HEAD with a 429. */
function clientsOf(refuse?: number): { clients: RegistryClients; heads: string[] } {
  const heads: string[] = [];
  const client = (registryId: number) =>
    ({
      registry: `registry-${registryId}.test`,
      async *listRepositories() {
        yield Object.keys(registries[registryId]!);
      },
      async *listTags(repository: string) {
        yield Object.keys(registries[registryId]![repository] ?? {});
      },
      async hasRepository(repository: string) {
        return repository in registries[registryId]!;
      },
      async headManifest(repository: string, reference: string) {
        heads.push(`${registryId} ${repository}:${reference}`);
        if (registryId === refuse)
          throw new RegistryRateLimitedError(
            'too many requests',
            { registry: `registry-${registryId}.test`, status: 429 },
            new Date(Date.now() + 60_000).toISOString(),
          );
        const found = registries[registryId]![repository]?.[reference];
        return found ? { digest: found } : undefined;
      },
    }) as unknown as RegistryClient;
  return {
    clients: { get: async (registryId) => client(registryId), nameOf: String, close: async () => undefined },
    heads,
  };
}

const twoSites = snapshotOf(1, {
  name: 'to-two-sites',
  src_registry: { id: 1 },
  dest_registries: [{ id: 2 }, { id: 3 }],
  override: false,
});

/** Lists as the activity does, with the worker's check as it is listed. */
function list(
  input: Omit<EnumerateArtifactsInput, 'policy'> & { policy?: EnumerateArtifactsInput['policy'] },
  clients: RegistryClients,
  signal?: AbortSignal,
) {
  const asked: Array<Parameters<NonNullable<ListingContext['checkAsListed']>>[0]> = [];
  const context: ListingContext = {
    heartbeat: () => undefined,
    checkAsListed: (check) => {
      asked.push(check);
      return checkAsListed(clients, check, signal ? { signal } : {});
    },
    ...(signal ? { signal } : {}),
  };
  return { page: enumerateArtifacts(clients, { policy: twoSites, ...input }, context), asked };
}

describe("enumerateArtifacts – the check of the run's only page, as it is listed", () => {
  it('checks every artifact at every destination, each task named by its place in the page', async () => {
    const { clients } = clientsOf();
    const { page, asked } = list({ pageSize: 10, checkIfLast: { dryRun: true } }, clients);
    const { artifacts, inPlace } = await page;
    assert.deepEqual(asked, [{ sourceRegistryId: 1, override: false, dryRun: true }]);
    assert.deepEqual(
      artifacts.map((artifact) => `${artifact.repository}:${artifact.tag}`),
      ['apps/api:v1', 'apps/api:v2', 'team/tools/cli:1.0'],
    );
    // Places: v1 → 0 (site 2), 1 (site 3); v2 → 2, 3; cli → 4, 5. Site 3 has v2 on another digest
    // (kept: override is off) and no cli (stale: to copy, by the digest the check saw).
    assert.deepEqual(inPlace!.found.map((task) => [task.taskId, task.outcome, task.digest]).sort(), [
      [0, 'skipped', digest('a')],
      [1, 'skipped', digest('a')],
      [2, 'skipped', digest('b')],
      [3, 'kept', digest('e')],
      [4, 'skipped', digest('c')],
    ]);
    assert.deepEqual(inPlace!.stale, [5]);
    assert.deepEqual(inPlace!.digests, [digest('c')]);
    assert.deepEqual(inPlace!.sourceDigestOf, [-1, -1, 0]);
  });

  it('an artifact whose name cannot be mapped is not checked (its tasks fail when planned)', async () => {
    const { clients, heads } = clientsOf();
    const flattening = snapshotOf(2, {
      name: 'flattening',
      src_registry: { id: 1 },
      dest_registry: { id: 2 },
      dest_namespace: 'apps',
      dest_namespace_replace_count: 3,
    });
    const { page } = list({ policy: flattening, pageSize: 10, checkIfLast: { dryRun: false } }, clients);
    const { inPlace } = await page;
    // team/tools/cli drops its three components into `apps`, where site 2 has no such tag.
    assert.deepEqual(inPlace!.stale, [2]);
    assert.deepEqual(
      heads.filter((head) => head.includes('apps/api')),
      [],
    );
  });

  const unchecked: Array<{ name: string; pageSize: number; checkIfLast?: { dryRun: boolean } }> = [
    { name: 'not asked', pageSize: 10 },
    { name: 'the listing goes on past this page', pageSize: 2, checkIfLast: { dryRun: false } },
  ];
  for (const { name, pageSize, checkIfLast } of unchecked) {
    it(`no check answered – ${name}`, async () => {
      const { clients } = clientsOf();
      const { page } = list({ pageSize, ...(checkIfLast ? { checkIfLast } : {}) }, clients);
      const { artifacts, inPlace, next } = await page;
      assert.equal(inPlace, undefined);
      assert.equal(artifacts.length, pageSize === 2 ? 2 : 3);
      assert.equal(next !== undefined, pageSize === 2);
    });
  }

  it('a check that fails (a site rate-limited) leaves it to the run: the listing is answered without it', async () => {
    const { clients } = clientsOf(3);
    const { page } = list({ pageSize: 10, checkIfLast: { dryRun: false } }, clients);
    const { artifacts, inPlace } = await page;
    assert.equal(artifacts.length, 3);
    assert.equal(inPlace, undefined);
  });

  it("a check cut by the activity's stop ends the activity", async () => {
    const { clients } = clientsOf();
    const stop = new AbortController();
    stop.abort(new Error('the run was stopped'));
    const { page } = list({ pageSize: 10, checkIfLast: { dryRun: false } }, clients, stop.signal);
    await assert.rejects(page, /the run was stopped/);
  });
});
