import type { RegistryClient } from '../registry/index.js';

/** A site repository's tags missing at HEADs before its tag list is read instead of a HEAD per tag. */
const missesBeforeListing = 4;
/** A listing not read by then (a hung site, a huge repository) is given up: HEADs go on. */
const listingDeadlineMs = 10_000;

/**
 * The tag lists of the site repositories a check finds tags missing at. A new site, or a new
 * repository at one, answers 404 to a HEAD of every tag: once a repository has missed a few, one
 * listing tells which of its other tags are there, and a tag it does not list needs no HEAD.
 * Until then, or when the listing fails, every tag is asked with its own HEAD: an up-to-date
 * site never lists.
 */
export class SiteListings {
  private readonly misses = new Map<string, number>();
  private readonly listings = new Map<string, Promise<ReadonlySet<string> | undefined>>();

  constructor(private readonly signal?: AbortSignal) {}

  /** The tags the repository listed, once it was listed; undefined otherwise. */
  listed(registryId: number, repository: string): Promise<ReadonlySet<string> | undefined> | undefined {
    return this.listings.get(`${registryId}/${repository}`);
  }

  /** A HEAD found a tag missing at the repository; enough of them start its listing. */
  missed(registryId: number, client: RegistryClient, repository: string): void {
    const key = `${registryId}/${repository}`;
    const misses = (this.misses.get(key) ?? 0) + 1;
    this.misses.set(key, misses);
    if (misses === missesBeforeListing) this.listings.set(key, this.list(client, repository));
  }

  private async list(client: RegistryClient, repository: string): Promise<ReadonlySet<string> | undefined> {
    const deadline = AbortSignal.timeout(listingDeadlineMs);
    const given = new Promise<undefined>((resolve) => {
      const stop = this.signal ? AbortSignal.any([deadline, this.signal]) : deadline;
      stop.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    const listing = (async () => {
      const tags = new Set<string>();
      // A repository the site does not have lists no tag (a 404 is an empty listing).
      for await (const page of client.listTags(repository)) for (const tag of page) tags.add(tag);
      return tags;
    })();
    // A listing that fails, or comes too late, leaves the tags to their HEADs.
    return Promise.race([listing.catch(() => undefined), given]);
  }
}
