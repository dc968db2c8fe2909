import { heartbeat } from '@temporalio/activity';
import type { Artifact } from '../workflows/replication-model.js';
import type { RegistryClients } from './registry-clients.js';

export interface UpToDateCheck {
  artifact: Artifact;
  targets: Array<{ taskId: number; registryId: number; repository: string }>;
}

export interface FindUpToDateInput {
  sourceRegistryId: number;
  checks: UpToDateCheck[];
  override: boolean;
  /** Part of a dry run: the checks are the same; only the metrics leave a plan out. */
  dryRun?: boolean;
}

export interface UpToDateTask {
  taskId: number;
  /** skipped: the destination's tag already points to the source digest; kept: another digest, left in place (override off). */
  outcome: 'skipped' | 'kept';
  digest: string;
}

/** HEAD requests in flight at once; each is small, the registries are the limit. */
const headsInFlight = 16;

/**
 * The tasks of a page that need no copy, found with HEAD requests only, so a run over many
 * unchanged tags schedules no copy at all. What cannot be decided here (an error, a tag missing
 * at the source) is left to the copy, which reports it.
 */
export async function findUpToDate(
  clients: RegistryClients,
  input: FindUpToDateInput,
): Promise<UpToDateTask[]> {
  const source = await clients.get(input.sourceRegistryId);
  const found: UpToDateTask[] = [];
  let next = 0;
  const lane = async () => {
    while (next < input.checks.length) {
      const { artifact, targets } = input.checks[next++]!;
      const reference = artifact.tag ?? artifact.digest!;
      const sourceDigest = (await source.headManifest(artifact.repository, reference).catch(() => undefined))
        ?.digest;
      if (!sourceDigest) continue;
      for (const target of targets) {
        const client = await clients.get(target.registryId);
        const present = await client.headManifest(target.repository, reference).catch(() => undefined);
        if (present?.digest === sourceDigest)
          found.push({ taskId: target.taskId, outcome: 'skipped', digest: sourceDigest });
        else if (present && !input.override)
          found.push({ taskId: target.taskId, outcome: 'kept', digest: present.digest });
      }
      if (next % 50 === 0) heartbeat({ checked: next });
    }
  };
  await Promise.all(Array.from({ length: headsInFlight }, lane));
  return found;
}
