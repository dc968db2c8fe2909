import type { DriftEntry } from '../contract/index.js';

/** `repository:tag` → digest; a tag whose digest could not be read maps to undefined. */
export type TagDigests = ReadonlyMap<string, string | undefined>;

export interface Drift {
  missing: DriftEntry[];
  different: DriftEntry[];
  extra: DriftEntry[];
  /** Tags in scope at both, same digest. */
  inSync: DriftEntry[];
}

export function tagKey(repository: string, tag: string): string {
  return `${repository}:${tag}`;
}

function entry(key: string, sourceDigest?: string, destinationDigest?: string): DriftEntry {
  const split = key.lastIndexOf(':');
  return {
    repository: key.slice(0, split),
    tag: key.slice(split + 1),
    ...(sourceDigest ? { sourceDigest } : {}),
    ...(destinationDigest ? { destinationDigest } : {}),
  };
}

/**
 * Source against destination, both keyed by the source's `repository:tag`: missing (at the source
 * only), different (same tag, another digest) and extra (at the destination only). A tag the
 * destination lists but whose digest it cannot give counts as different: it cannot be served.
 */
export function classifyDrift(source: TagDigests, destination: TagDigests): Drift {
  const drift: Drift = { missing: [], different: [], extra: [], inSync: [] };
  for (const [key, sourceDigest] of source) {
    if (!destination.has(key)) drift.missing.push(entry(key, sourceDigest));
    else {
      const destinationDigest = destination.get(key);
      if (destinationDigest !== undefined && destinationDigest === sourceDigest)
        drift.inSync.push(entry(key, sourceDigest, destinationDigest));
      else drift.different.push(entry(key, sourceDigest, destinationDigest));
    }
  }
  for (const [key, destinationDigest] of destination) {
    if (!source.has(key)) drift.extra.push(entry(key, undefined, destinationDigest));
  }
  return drift;
}

/**
 * The recovery point: seconds since the oldest of the pending changes was first seen, or 0 when
 * none is pending. A pending change never seen before counts from `now`.
 */
export function recoveryPoint(
  pendingFirstSeen: ReadonlyArray<string | undefined>,
  now: Date,
): { seconds: number; oldest?: string } {
  let oldest: string | undefined;
  for (const seen of pendingFirstSeen) {
    const at = seen ?? now.toISOString();
    if (oldest === undefined || at < oldest) oldest = at;
  }
  if (oldest === undefined) return { seconds: 0 };
  return { seconds: Math.max(0, Math.round((now.getTime() - Date.parse(oldest)) / 1000)), oldest };
}
