import { Context } from '@temporalio/activity';
import {
  driftArtifacts,
  driftSampleSize,
  recoveryPointSeconds,
  type AuditDriftInput,
  type DestinationDrift,
  type DriftFindings,
  type UnservableEntry,
} from '../contract/index.js';
import { destinationRepository, matchesFilters, PolicySnapshot } from '../policies/index.js';
import {
  forEachBounded,
  RegistryNotFoundError,
  verifyArtifact,
  type RegistryClient,
} from '../registry/index.js';
import { sourceChangeKey, type Store } from '../store/index.js';
import { artifactsInScope, isTagged, selectedTags, type TaggedArtifact } from './artifacts-in-scope.js';
import { classifyDrift, recoveryPoint, tagKey, type Drift } from './classify-drift.js';
import type { RegistryClients } from './registry-clients.js';

/** HEAD requests in flight at once: small requests, the registries are the limit. */
const headsInFlight = 16;
/** Images verified at once (each has its own blobs in flight). */
const verificationsInFlight = 4;

/** Runs `work` over `items`, `lanes` at a time, heartbeating as it goes so a lost worker is noticed. */
async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>) {
  let done = 0;
  await forEachBounded(items, lanes, async (item) => {
    await work(item);
    if (++done % 100 === 0) Context.current().heartbeat({ done });
  });
}

/** Digest of each tag (undefined where HEAD finds nothing), keyed by the source's `repository:tag`. */
async function digestsOf(
  client: RegistryClient,
  tags: ReadonlyArray<{ key: string; repository: string; tag: string }>,
): Promise<Map<string, string | undefined>> {
  const digests = new Map<string, string | undefined>();
  await inLanes(tags, headsInFlight, async ({ key, repository, tag }) => {
    digests.set(key, (await client.headManifest(repository, tag))?.digest);
  });
  return digests;
}

/** The tags in scope at a destination, keyed by the name they have at the source. */
async function destinationTags(
  client: RegistryClient,
  policy: PolicySnapshot,
  sourceRepositories: Set<string>,
) {
  const sourceOf = new Map<string, string>();
  for (const repository of sourceRepositories) sourceOf.set(mapRepository(policy, repository), repository);
  const tags: Array<{ key: string; repository: string; tag: string }> = [];
  for await (const page of client.listRepositories({ pageSize: 1000 })) {
    for (const repository of page) {
      // Without a namespace mapping, names are the same at both ends and the filters apply as is.
      const source =
        sourceOf.get(repository) ??
        (!policy.dest_namespace && matchesFilters(policy.filters, { repository }) ? repository : undefined);
      if (!source) continue;
      const names: string[] = [];
      try {
        for await (const page of client.listTags(repository, { pageSize: 1000 })) names.push(...page);
      } catch (error) {
        // Listed in the catalog but emptied since: no tags.
        if (!(error instanceof RegistryNotFoundError)) throw error;
      }
      for (const tag of await selectedTags(client, policy.filters, repository, names, source))
        tags.push({ key: tagKey(source, tag), repository, tag });
      Context.current().heartbeat({ repository });
    }
  }
  return tags;
}

function mapRepository(policy: PolicySnapshot, repository: string): string {
  return destinationRepository(repository, policy);
}

async function verifyDestination(
  client: RegistryClient,
  policy: PolicySnapshot,
  present: Drift['inSync'],
  deep: boolean,
): Promise<UnservableEntry[]> {
  const unservable: UnservableEntry[] = [];
  const signal = Context.current().cancellationSignal;
  await inLanes(present, verificationsInFlight, async (entry) => {
    const problems = await verifyArtifact(client, mapRepository(policy, entry.repository), entry.tag, {
      deep,
      signal,
    });
    if (problems.length > 0) unservable.push({ repository: entry.repository, tag: entry.tag, problems });
  });
  signal.throwIfAborted();
  return unservable;
}

/** Sets the drift gauges of one destination on the worker's metrics endpoint. */
function exportDrift(policy: PolicySnapshot, drift: DestinationDrift): void {
  const meter = Context.current().metricMeter;
  const artifacts = meter.createGauge(
    driftArtifacts.name,
    'int',
    driftArtifacts.unit,
    driftArtifacts.description,
  );
  const labels = { policy: policy.name, destination: drift.name };
  for (const kind of ['missing', 'different', 'extra', 'unservable'] as const)
    artifacts.set(drift[kind], { ...labels, kind });
  meter
    .createGauge(
      recoveryPointSeconds.name,
      'float',
      recoveryPointSeconds.unit,
      recoveryPointSeconds.description,
    )
    .set(drift.recoveryPointSeconds, labels);
}

/**
 * The drift of every destination of a policy: the source's tags in scope and their digests are
 * read once, each destination's compared with them. Changes found pending are remembered in the
 * store with the time first seen, which is what the recovery point counts from.
 */
export async function auditDrift(
  clients: RegistryClients,
  store: Store,
  input: AuditDriftInput,
): Promise<DriftFindings> {
  // An attempt scheduled by an earlier release carries the snapshot in that release's form.
  const policy = PolicySnapshot.parse(input.policy);
  const source = await clients.get(policy.src_registry_id);
  const listed: TaggedArtifact[] = [];
  for await (const entry of artifactsInScope(source, policy.filters)) if (isTagged(entry)) listed.push(entry);
  const sourceDigests = await digestsOf(
    source,
    listed.map((artifact) => ({ key: tagKey(artifact.repository, artifact.tag), ...artifact })),
  );
  // A tag deleted between listing and HEAD is no longer at the source.
  for (const [key, digest] of sourceDigests) if (digest === undefined) sourceDigests.delete(key);
  const repositories = new Set(listed.map((artifact) => artifact.repository));

  const now = new Date();
  const destinations: DestinationDrift[] = [];
  for (const destination of policy.destinations) {
    const client = await clients.get(destination.registry_id);
    const tags = await destinationTags(client, policy, repositories);
    const drift = classifyDrift(sourceDigests, await digestsOf(client, tags));

    const pending = [...drift.missing, ...drift.different].map((entry) => ({
      repository: entry.repository,
      tag: entry.tag,
      digest: entry.sourceDigest!,
    }));
    await store.sourceChanges.record(policy.src_registry_id, pending, now.toISOString());
    const firstSeen = new Map<string, Map<string, string>>();
    for (const repository of new Set(pending.map((change) => change.repository)))
      firstSeen.set(repository, await store.sourceChanges.firstSeen(policy.src_registry_id, repository));
    const point = recoveryPoint(
      pending.map((change) => firstSeen.get(change.repository)?.get(sourceChangeKey(change))),
      now,
    );

    const unservable =
      input.verify === 'off'
        ? []
        : await verifyDestination(client, policy, drift.inSync, input.verify === 'deep');
    const report: DestinationDrift = {
      registryId: destination.registry_id,
      name: destination.name,
      missing: drift.missing.length,
      different: drift.different.length,
      extra: drift.extra.length,
      verified: input.verify === 'off' ? 0 : drift.inSync.length,
      unservable: unservable.length,
      recoveryPointSeconds: point.seconds,
      ...(point.oldest ? { oldestPendingChange: point.oldest } : {}),
      samples: {
        missing: drift.missing.slice(0, driftSampleSize),
        different: drift.different.slice(0, driftSampleSize),
        extra: drift.extra.slice(0, driftSampleSize),
        unservable: unservable.slice(0, driftSampleSize),
      },
    };
    exportDrift(policy, report);
    destinations.push(report);
  }

  // What the source's tags no longer point to will never be pending again.
  const current = new Map<string, Map<string, string>>();
  for (const { repository, tag } of listed) {
    const digest = sourceDigests.get(tagKey(repository, tag));
    if (!current.has(repository)) current.set(repository, new Map());
    if (digest) current.get(repository)!.set(tag, digest);
  }
  for (const [repository, tags] of current)
    await store.sourceChanges.forgetSuperseded(policy.src_registry_id, repository, tags);
  return { sourceTags: sourceDigests.size, destinations };
}
