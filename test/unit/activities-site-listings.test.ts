import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FindUpToDateInput } from '../../contract/index.js';
import { checkUpToDate } from '../../activities/find-up-to-date.js';
import type { RegistryClients } from '../../activities/registry-clients.js';
import type { RegistryClient } from '../../registry/index.js';

const source = `sha256:${'a'.repeat(64)}`;
const other = `sha256:${'b'.repeat(64)}`;
const tags = Array.from({ length: 30 }, (_, index) => `v${index}`);

/** A site holding `at` (tag → digest) in p/app; counts its HEADs and listings. */
function site(at: Record<string, string>, listing: 'answers' | 'fails' = 'answers') {
  const counts = { heads: 0, listings: 0 };
  const client = {
    registry: 'site.test',
    async headManifest(_repository: string, tag: string) {
      counts.heads++;
      return at[tag] ? { digest: at[tag] } : undefined;
    },
    async *listTags() {
      counts.listings++;
      if (listing === 'fails') throw Object.assign(new Error('denied'), { code: 'REGISTRY_DENIED' });
      yield Object.keys(at);
    },
  };
  return { client: client as unknown as RegistryClient, counts };
}

function clientsOf(target: RegistryClient): RegistryClients {
  const hq = { registry: 'hq.test', headManifest: async () => ({ digest: source }) };
  return {
    get: async (id) => (id === 1 ? (hq as unknown as RegistryClient) : target),
    nameOf: String,
    close: async () => {},
  };
}

const input: FindUpToDateInput = {
  sourceRegistryId: 1,
  override: true,
  checks: tags.map((tag, index) => ({
    artifact: { repository: 'p/app', tag },
    targets: [{ taskId: index + 1, registryId: 2, repository: 'p/app' }],
  })),
};

describe('checkUpToDate – a site missing many tags is listed once instead of a HEAD per tag', () => {
  const cases: Array<{
    name: string;
    at: Record<string, string>;
    listing?: 'fails';
    heads: number;
    listings: number;
    skipped: number;
  }> = [
    {
      name: 'an up-to-date site is never listed',
      at: Object.fromEntries(tags.map((t) => [t, source])),
      heads: 30,
      listings: 0,
      skipped: 30,
    },
    {
      name: 'a new site: four misses, then its listing answers for the rest',
      at: {},
      heads: 4,
      listings: 1,
      skipped: 0,
    },
    {
      name: 'a tag the listing has is still asked: its digest may differ',
      at: { v20: source, v21: other },
      heads: 6,
      listings: 1,
      skipped: 1,
    },
    {
      name: 'a listing that fails leaves every tag to its HEAD',
      at: {},
      listing: 'fails',
      heads: 30,
      listings: 1,
      skipped: 0,
    },
  ];
  for (const { name, at, listing, heads, listings, skipped } of cases) {
    it(name, async () => {
      const target = site(at, listing);
      // One lane: each HEAD answers before the next tag is checked.
      const { found, stale } = await checkUpToDate(clientsOf(target.client), input, { lanes: 1 });
      assert.deepEqual(target.counts, { heads, listings });
      assert.equal(found.filter((task) => task.outcome === 'skipped').length, skipped);
      // Every other task is left to the copy as missing or stale, none unknown.
      assert.equal(found.length + stale.length, tags.length);
    });
  }
});
