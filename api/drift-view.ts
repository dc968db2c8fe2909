import type { DriftEntry, DriftReport } from '../contract/index.js';

function entryView(entry: DriftEntry) {
  return {
    repository: entry.repository,
    tag: entry.tag,
    source_digest: entry.sourceDigest ?? null,
    destination_digest: entry.destinationDigest ?? null,
  };
}

/** A drift report in the API's snake_case, beside Harbor's resources. */
export function toDriftView(report: DriftReport) {
  return {
    policy_id: report.policyId,
    policy_name: report.policyName,
    verify: report.verify,
    start_time: report.startedAt,
    end_time: report.finishedAt,
    source_tags: report.sourceTags,
    in_sync: report.destinations.every(
      (d) => d.missing === 0 && d.different === 0 && d.extra === 0 && d.unservable === 0,
    ),
    destinations: report.destinations.map((d) => ({
      registry_id: d.registryId,
      name: d.name,
      missing: d.missing,
      different: d.different,
      extra: d.extra,
      verified: d.verified,
      unservable: d.unservable,
      recovery_point_seconds: d.recoveryPointSeconds,
      oldest_pending_change: d.oldestPendingChange ?? null,
      samples: {
        missing: d.samples.missing.map(entryView),
        different: d.samples.different.map(entryView),
        extra: d.samples.extra.map(entryView),
        unservable: d.samples.unservable,
      },
    })),
  };
}
