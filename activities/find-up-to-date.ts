import { Context, heartbeat } from '@temporalio/activity';
import type { FindUpToDateInput, InPlaceResult, UpToDateCheck, UpToDateTask } from '../contract/index.js';
import { errorCode } from '../errors/regatta-error.js';
import { forEachBounded, type RegistryClient } from '../registry/index.js';
import { eachOnce, type RegistryClients } from './registry-clients.js';
import { beating } from './beating.js';
import { SiteListings } from './site-listings.js';

/** HEAD requests in flight at once (each lane asks the source and every target together). */
const lanes = 16;
/** A HEAD not answered by then (a hung or slow site) is left to the copy, which cuts it alone. */
const headDeadlineMs = 10_000;
/**
 * Lanes of a whole page's check: it has ten times a batch's artifacts and nothing else to do,
 * and its requests queue in each registry's connection pool rather than on the run's lanes.
 */
const pageLanes = 32;

/** What a check found: the tasks in place, the tasks stale, and each source reference's digest. */
interface Findings {
  found: UpToDateTask[];
  /** The digest each source reference pointed to when asked, by `repository:reference`. */
  sourceDigests: Map<string, string>;
  stale: number[];
}

/**
 * Checks artifacts one at a time against their targets with HEAD requests, gathering what it
 * finds. What cannot be decided (an error, a tag missing at the source) is left to the copy.
 */
class InPlaceChecker {
  readonly findings: Findings = { found: [], sourceDigests: new Map(), stale: [] };
  private readonly listings: SiteListings;
  /** Each registry looked up once per check. */
  private readonly clients: RegistryClients;

  constructor(
    clients: RegistryClients,
    private readonly input: Omit<FindUpToDateInput, 'checks'>,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.clients = eachOnce(clients);
    this.listings = new SiteListings(signal);
  }

  async check({ artifact, targets }: UpToDateCheck): Promise<void> {
    // A stop ends the check within a lane's HEADs.
    this.signal?.throwIfAborted();
    const reference = artifact.tag ?? artifact.digest;
    // Nothing to check: an error to report, or no target (its tasks failed when planned).
    if (artifact.error || !reference || targets.length === 0) return;
    // The digest under the tag; null when the tag is not there; undefined when the registry did not say.
    const head = (client: RegistryClient, repository: string) =>
      client.headManifest(repository, reference, { signal: this.signal, timeoutMs: headDeadlineMs }).then(
        (manifest) => manifest?.digest ?? null,
        (error: unknown) => {
          // A rate limit fails the check, to be waited out: the copies would meet it too.
          if (errorCode(error) === 'REGISTRY_RATE_LIMITED') throw error;
          return undefined;
        },
      );
    // A tag a site's listing lacks is missing there; any other is asked (its digest may differ).
    const atTarget = async ({ registryId, repository }: (typeof targets)[number]) => {
      const client = await this.clients.get(registryId);
      const listed = artifact.tag ? await this.listings.listed(registryId, repository) : undefined;
      if (listed && !listed.has(artifact.tag!)) return null;
      const digest = await head(client, repository);
      if (digest === null && artifact.tag) this.listings.missed(registryId, client, repository);
      return digest;
    };
    const [sourceDigest, ...present] = await Promise.all([
      this.clients.get(this.input.sourceRegistryId).then((source) => head(source, artifact.repository)),
      ...targets.map(atTarget),
    ]);
    if (!sourceDigest) return;
    const { found, sourceDigests, stale } = this.findings;
    sourceDigests.set(`${artifact.repository}:${reference}`, sourceDigest);
    targets.forEach((target, index) => {
      const digest = present[index];
      if (digest === sourceDigest) found.push({ taskId: target.taskId, outcome: 'skipped', digest });
      else if (digest && !this.input.override) found.push({ taskId: target.taskId, outcome: 'kept', digest });
      else if (digest !== undefined) stale.push(target.taskId);
    });
  }
}

/** A check's findings as `checkInPlace` answers them, for `checks` in order. */
function inPlaceResult(
  checks: readonly UpToDateCheck[],
  { found, sourceDigests, stale }: Findings,
): InPlaceResult {
  const done = new Set(found.map((task) => task.taskId));
  const digests: string[] = [];
  const position = new Map<string, number>();
  const sourceDigestOf = checks.map(({ artifact, targets }) => {
    const digest = sourceDigests.get(`${artifact.repository}:${artifact.tag ?? artifact.digest}`);
    if (!digest || targets.every((target) => done.has(target.taskId))) return -1;
    if (!position.has(digest)) position.set(digest, digests.push(digest) - 1);
    return position.get(digest)!;
  });
  return { found, digests, sourceDigestOf, stale };
}

/**
 * The tasks of a page that need no copy, found with HEAD requests only, so a run over many
 * unchanged tags schedules no copy at all. What cannot be decided here (an error, a tag missing
 * at the source) is left to the copy, which reports it.
 */
export async function findUpToDate(
  clients: RegistryClients,
  input: FindUpToDateInput,
): Promise<UpToDateTask[]> {
  return (await checkUpToDate(clients, input)).found;
}

/**
 * A whole page's check, before its copies: the tasks in place, and the source digest of each
 * artifact some target still lacks, which its copy then reads by.
 */
export async function checkInPlace(
  clients: RegistryClients,
  input: FindUpToDateInput,
): Promise<InPlaceResult> {
  const context = Context.current();
  let checked = 0;
  // A hung site's HEADs wait out their deadline: the beats go on meanwhile.
  const findings = await beating(
    () => context.heartbeat({ checked, of: input.checks.length }),
    () =>
      checkUpToDate(clients, input, {
        lanes: pageLanes,
        signal: context.cancellationSignal,
        onChecked: () => checked++,
      }),
  );
  return inPlaceResult(input.checks, findings);
}

/**
 * What findUpToDate finds, and the digest each source reference pointed to when asked (by
 * `repository:reference`), so a copy that follows reads each source manifest once per digest.
 */
export async function checkUpToDate(
  clients: RegistryClients,
  input: FindUpToDateInput,
  options: { lanes?: number; signal?: AbortSignal; onChecked?: () => void } = {},
): Promise<Findings> {
  const checker = new InPlaceChecker(clients, input, options.signal);
  let checked = 0;
  // Told of each artifact checked; by default a heartbeat every 50 (an activity without a ticker).
  const onChecked =
    options.onChecked ??
    (() => {
      if (++checked % 50 === 0) heartbeat({ checked });
    });
  await forEachBounded(input.checks, options.lanes ?? lanes, async (check) => {
    await checker.check(check);
    onChecked();
  });
  return checker.findings;
}

/** A page's check in place made as its artifacts are listed (`checkAsListed`). */
export interface ListedCheck {
  /** The checks added so far, in order. */
  readonly checks: readonly UpToDateCheck[];
  /** Checks an artifact listed, as soon as a lane is free. */
  add(check: UpToDateCheck): void;
  /** Once every artifact is added: what the checks found, as `checkInPlace` answers it. */
  result(): Promise<InPlaceResult>;
  /** Stops the checks in flight and starts no more (the listing went past one page). */
  abandon(): void;
}

/**
 * A page's check made while the page is listed, so its HEADs overlap the listing's requests: each
 * artifact is checked as it is added, `pageLanes` at a time (the listing activity beats meanwhile).
 * The first failure (a rate limit, the stop) fails it.
 */
export function checkAsListed(
  clients: RegistryClients,
  input: Omit<FindUpToDateInput, 'checks'>,
  options: { signal?: AbortSignal } = {},
): ListedCheck {
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([stop.signal, options.signal]) : stop.signal;
  const checker = new InPlaceChecker(clients, input, signal);
  const checks: UpToDateCheck[] = [];
  let started = 0;
  let checked = 0;
  let failure: { error: unknown } | undefined;
  let closed = false;
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const pump = () => {
    while (!failure && started - checked < pageLanes && started < checks.length) {
      checker.check(checks[started++]!).then(
        () => {
          checked++;
          pump();
        },
        (error: unknown) => {
          checked++;
          failure ??= { error };
          stop.abort();
          pump();
        },
      );
    }
    if (closed && checked === started && (failure || started === checks.length)) settle();
  };
  return {
    checks,
    add(check) {
      checks.push(check);
      pump();
    },
    async result() {
      closed = true;
      pump();
      await settled;
      if (failure) throw failure.error;
      return inPlaceResult(checks, checker.findings);
    },
    abandon() {
      failure ??= { error: new Error('the check was abandoned') };
      stop.abort();
      closed = true;
      pump();
    },
  };
}
