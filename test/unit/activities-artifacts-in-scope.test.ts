import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { artifactsInScope, isTagged, type TaggedArtifact } from '../../activities/artifacts-in-scope.js';
import type { EnumerateCursor } from '../../contract/index.js';
import type { ReplicationFilter } from '../../policies/index.js';
import type { ListOptions, RegistryClient } from '../../registry/index.js';

/** How a registry answers a listing: which names after `last`, in what order, in pages of what size. */
type Listing = (names: readonly string[], options: ListOptions) => string[][];

const pagesOf = (names: readonly string[], size: number) =>
  Array.from({ length: Math.ceil(names.length / size) }, (_, index) =>
    names.slice(index * size, (index + 1) * size),
  );

/** A fixed shuffle, so a registry's own order is stable from one listing to the next. */
const shuffled = (names: readonly string[]) =>
  [...names].sort(
    (a, b) =>
      ((a.length * 7 + a.charCodeAt(a.length - 1)) % 5) - ((b.length * 7 + b.charCodeAt(b.length - 1)) % 5) ||
      a.localeCompare(b),
  );

const registries: { name: string; listing: Listing }[] = [
  {
    name: 'honours last, lexical pages of 7 (OCI)',
    listing: (names, { last }) =>
      pagesOf(
        [...names].sort().filter((name) => last === undefined || name > last),
        7,
      ),
  },
  {
    name: 'ignores last, lexical pages of 7 from the start',
    listing: (names) => pagesOf([...names].sort(), 7),
  },
  {
    name: 'ignores last and paging, every name at once in its own order (Distribution 2.8 tags)',
    listing: (names) => [shuffled(names)],
  },
];

const repositories: Record<string, string[]> = {
  'apps/api': Array.from({ length: 12 }, (_, index) => `v${index + 1}`),
  'apps/web': ['latest', 'stable', '1.0', '1.1', '2.0'],
  'base/alpine': Array.from({ length: 9 }, (_, index) => `3.${index}`),
};

function registryListing(listing: Listing): RegistryClient {
  const client = {
    registry: 'registry.test',
    async *listRepositories(options: ListOptions = {}) {
      yield* listing(Object.keys(repositories), options);
    },
    async *listTags(repository: string, options: ListOptions = {}) {
      yield* listing(repositories[repository] ?? [], options);
    },
    async hasRepository(repository: string) {
      return repository in repositories;
    },
  };
  return client as unknown as RegistryClient;
}

/** Enumerates as a run does: pages of `pageSize`, each from the cursor the page before ended at. */
async function enumerateInPages(
  client: RegistryClient,
  filters: ReplicationFilter[],
  pageSize: number,
): Promise<TaggedArtifact[]> {
  const seen: TaggedArtifact[] = [];
  let cursor: EnumerateCursor | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page: TaggedArtifact[] = [];
    for await (const entry of artifactsInScope(client, filters, { after: cursor, heartbeat: () => {} })) {
      if (!isTagged(entry)) continue;
      if (page.length === pageSize) break;
      page.push(entry);
    }
    seen.push(...page);
    if (page.length < pageSize) return seen;
    cursor = page.at(-1)!;
  }
  throw new Error('enumeration did not end within 100 pages');
}

const expected = (names: readonly string[]) =>
  names.flatMap((repository) => [...repositories[repository]!].sort().map((tag) => ({ repository, tag })));

const cases: { name: string; filters: ReplicationFilter[]; want: TaggedArtifact[] }[] = [
  {
    name: 'every repository (the catalog)',
    filters: [],
    want: expected(['apps/api', 'apps/web', 'base/alpine']),
  },
  {
    name: 'a pattern (the catalog, filtered)',
    filters: [{ type: 'name', value: 'apps/**' }],
    want: expected(['apps/api', 'apps/web']),
  },
  {
    name: 'named repositories (no catalog)',
    filters: [{ type: 'name', value: '{base/alpine,apps/web}' }],
    want: expected(['apps/web', 'base/alpine']),
  },
];

describe('artifacts in scope – each tag once, in order, however a run pages and a registry lists', () => {
  for (const registry of registries) {
    for (const scope of cases) {
      for (const pageSize of [1, 4, 5, 100]) {
        it(`${registry.name} – ${scope.name} – run pages of ${pageSize}`, async () => {
          const got = await enumerateInPages(registryListing(registry.listing), scope.filters, pageSize);
          assert.deepEqual(got, scope.want);
        });
      }
    }
  }
});

describe('artifacts in scope – tag listings started ahead', () => {
  const names = Array.from({ length: 12 }, (_, index) => `r/${String(index).padStart(2, '0')}`);

  /** A registry whose tag listings answer after a tick, counting how many are unanswered at once. */
  function slowRegistry(fails: ReadonlySet<string> = new Set()) {
    const counts = { inFlight: 0, most: 0, listings: 0 };
    const client = {
      registry: 'registry.test',
      async *listRepositories() {
        yield names;
      },
      async *listTags(repository: string) {
        counts.listings++;
        counts.most = Math.max(counts.most, ++counts.inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        counts.inFlight--;
        if (fails.has(repository))
          throw Object.assign(new Error('refused'), { code: 'REGISTRY_DENIED', retryable: false });
        yield [`${repository.slice(2)}-b`, `${repository.slice(2)}-a`];
      },
      async hasRepository() {
        return true;
      },
    };
    return { client: client as unknown as RegistryClient, counts };
  }

  it('lists up to five repositories at once and yields in order', async () => {
    const { client, counts } = slowRegistry();
    const got: string[] = [];
    for await (const entry of artifactsInScope(client, [], { heartbeat: () => {} }))
      if (isTagged(entry)) got.push(`${entry.repository}:${entry.tag}`);
    assert.deepEqual(
      got,
      names.flatMap((name) => [`${name}:${name.slice(2)}-a`, `${name}:${name.slice(2)}-b`]),
    );
    assert.equal(counts.most, 5);
    assert.equal(counts.listings, names.length);
  });

  it('a named repository that cannot be listed comes in its place; a listing never read is harmless', async () => {
    const { client, counts } = slowRegistry(new Set(['r/01', 'r/03']));
    const filters: ReplicationFilter[] = [{ type: 'name', value: `{${names.slice(0, 4).join(',')}}` }];
    const got: string[] = [];
    for await (const entry of artifactsInScope(client, filters, { heartbeat: () => {} })) {
      got.push(
        isTagged(entry) ? `${entry.repository}:${entry.tag}` : `${entry.repository}: ${entry.error.code}`,
      );
      // A page full after three entries: r/03's failed listing was started and is never read.
      if (got.length === 3) break;
    }
    assert.deepEqual(got, ['r/00:00-a', 'r/00:00-b', 'r/01: REGISTRY_DENIED']);
    assert.equal(counts.listings, 4);
  });
});
