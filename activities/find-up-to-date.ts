import { Context, heartbeat } from '@temporalio/activity';
import type { FindUpToDateInput, InPlaceResult, UpToDateTask } from '../contract/index.js';
import { errorCode } from '../errors/regatta-error.js';
import { forEachBounded, type RegistryClient } from '../registry/index.js';
import type { RegistryClients } from './registry-clients.js';
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
const heartbeatEveryMs = 1_000;

/** A HEAD's signal: its deadline, and the activity's stop when it has one. */
function deadline(stop: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(headDeadlineMs);
  return stop ? AbortSignal.any([timeout, stop]) : timeout;
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
  // A beat a second whatever the registries do (a hung site's HEADs wait out their deadline), so
  // a lost worker is noticed, and a stop reaches the check, within seconds.
  const ticker = setInterval(() => context.heartbeat({ checked, of: input.checks.length }), heartbeatEveryMs);
  let answer: Awaited<ReturnType<typeof checkUpToDate>>;
  try {
    answer = await checkUpToDate(clients, input, {
      lanes: pageLanes,
      signal: context.cancellationSignal,
      onChecked: () => checked++,
    });
  } finally {
    clearInterval(ticker);
  }
  const { found, sourceDigests, stale } = answer;
  const done = new Set(found.map((task) => task.taskId));
  const digests: string[] = [];
  const position = new Map<string, number>();
  const sourceDigestOf = input.checks.map(({ artifact, targets }) => {
    const digest = sourceDigests.get(`${artifact.repository}:${artifact.tag ?? artifact.digest}`);
    if (!digest || targets.every((target) => done.has(target.taskId))) return -1;
    if (!position.has(digest)) position.set(digest, digests.push(digest) - 1);
    return position.get(digest)!;
  });
  return { found, digests, sourceDigestOf, stale };
}

/**
 * What findUpToDate finds, and the digest each source reference pointed to when asked (by
 * `repository:reference`), so a copy that follows reads each source manifest once per digest.
 */
export async function checkUpToDate(
  clients: RegistryClients,
  input: FindUpToDateInput,
  options: { lanes?: number; signal?: AbortSignal; onChecked?: () => void } = {},
): Promise<{ found: UpToDateTask[]; sourceDigests: Map<string, string>; stale: number[] }> {
  const source = await clients.get(input.sourceRegistryId);
  const targetClients = new Map<number, RegistryClient>();
  for (const { targets } of input.checks) {
    for (const { registryId } of targets) {
      if (!targetClients.has(registryId)) targetClients.set(registryId, await clients.get(registryId));
    }
  }
  const found: UpToDateTask[] = [];
  const sourceDigests = new Map<string, string>();
  const stale: number[] = [];
  let checked = 0;
  // Told of each artifact checked; by default a heartbeat every 50 (an activity without a ticker).
  const onChecked =
    options.onChecked ??
    (() => {
      if (++checked % 50 === 0) heartbeat({ checked });
    });
  const listings = new SiteListings(options.signal);
  await forEachBounded(input.checks, options.lanes ?? lanes, async ({ artifact, targets }) => {
    // A stop ends the check within a lane's HEADs.
    options.signal?.throwIfAborted();
    const reference = artifact.tag ?? artifact.digest;
    // Nothing to check: an error to report, or no target (its tasks failed when planned).
    if (artifact.error || !reference || targets.length === 0) return;
    // The digest under the tag; null when the tag is not there; undefined when the registry did not say.
    const head = (client: RegistryClient, repository: string) =>
      client.headManifest(repository, reference, { signal: deadline(options.signal) }).then(
        (manifest) => manifest?.digest ?? null,
        (error: unknown) => {
          // A rate limit fails the check, to be waited out: the copies would meet it too.
          if (errorCode(error) === 'REGISTRY_RATE_LIMITED') throw error;
          return undefined;
        },
      );
    // A tag a site's listing lacks is missing there; any other is asked (its digest may differ).
    const atTarget = async ({ registryId, repository }: (typeof targets)[number]) => {
      const client = targetClients.get(registryId)!;
      const listed = artifact.tag ? await listings.listed(registryId, repository) : undefined;
      if (listed && !listed.has(artifact.tag!)) return null;
      const digest = await head(client, repository);
      if (digest === null && artifact.tag) listings.missed(registryId, client, repository);
      return digest;
    };
    const [sourceDigest, ...present] = await Promise.all([
      head(source, artifact.repository),
      ...targets.map(atTarget),
    ]);
    onChecked();
    if (!sourceDigest) return;
    sourceDigests.set(`${artifact.repository}:${reference}`, sourceDigest);
    targets.forEach((target, index) => {
      const digest = present[index];
      if (digest === sourceDigest) found.push({ taskId: target.taskId, outcome: 'skipped', digest });
      else if (digest && !input.override) found.push({ taskId: target.taskId, outcome: 'kept', digest });
      else if (digest !== undefined) stale.push(target.taskId);
    });
  });
  return { found, sourceDigests, stale };
}
