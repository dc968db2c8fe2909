// Regatta's worker metrics, recorded on Temporal's metric meter so that each worker's one
// Prometheus endpoint serves them beside Temporal's own. Plain data: workflow code imports it too.

export interface MetricDefinition {
  name: string;
  unit: string;
  description: string;
}

export const artifactsTotal: MetricDefinition = {
  name: 'regatta_artifacts_total',
  unit: 'artifacts',
  description: 'Artifact attempts per destination, by operation and outcome',
};

export const bytesTotal: MetricDefinition = {
  name: 'regatta_bytes_total',
  unit: 'bytes',
  description: 'Bytes uploaded to each destination',
};

export const failuresTotal: MetricDefinition = {
  name: 'regatta_failures_total',
  unit: 'failures',
  description: 'Failed attempts per destination, by error code',
};

export const pushToSiteSeconds: MetricDefinition = {
  name: 'regatta_push_to_site_seconds',
  unit: 's',
  description: 'From the push the registry reported to the artifact being in place at the destination',
};

export const runDurationSeconds: MetricDefinition = {
  name: 'regatta_run_duration_seconds',
  unit: 's',
  description: 'Replication runs from start to end, by policy, trigger and status',
};

export const driftArtifacts: MetricDefinition = {
  name: 'regatta_drift_artifacts',
  unit: 'artifacts',
  description: 'Tags out of sync, by kind',
};

export const recoveryPointSeconds: MetricDefinition = {
  name: 'regatta_recovery_point_seconds',
  unit: 's',
  description: 'Age of the oldest source change not yet at the destination',
};

/** Seconds buckets: the exporter's defaults are meant for milliseconds. */
export const histogramBuckets: Record<string, number[]> = {
  [pushToSiteSeconds.name]: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
  [runDurationSeconds.name]: [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400],
};
