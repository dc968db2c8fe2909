import {
  defaultDeliverySchedule,
  defaultRunSettings,
  type ReplicationActivities,
} from '../../contract/index.js';

export type ActivityName = keyof ReplicationActivities;

/** What a real worker's activities would answer when nothing goes wrong and nothing is there yet. */
const succeed: ReplicationActivities = {
  recordExecution: async () => ({ executionId: 1 }),
  recordPageTasks: async () => undefined,
  recordRunResult: async () => undefined,
  openRun: async () => ({ executionId: 1, settings: defaultRunSettings }),
  closeRun: async () => ({ notify: false }),
  enumerateArtifacts: async () => ({ artifacts: [] }),
  planPrune: async () => ({ artifacts: [], inScope: 0 }),
  planPrunePages: async () => ({ planId: 'none', pages: 0, deletions: 0, inScope: 0 }),
  readPrunePage: async () => ({ artifacts: [] }),
  findUpToDate: async () => [],
  checkInPlace: async ({ checks }) => ({
    found: [],
    digests: [],
    sourceDigestOf: checks.map(() => -1),
    stale: [],
  }),
  auditDrift: async () => ({ sourceTags: 0, destinations: [] }),
  prepareNotifications: async () => ({ deliveryIds: [], schedule: defaultDeliverySchedule }),
  deliverNotification: async () => true,
  abandonNotification: async () => undefined,
  recordDriftStates: async () => [],
  copyBatch: async (input) => ({
    results: input.items.flatMap((item) =>
      item.targets.map((target) => ({
        taskId: target.taskId,
        ok: true,
        outcome: input.operation === 'delete' ? ('deleted' as const) : ('copied' as const),
        bytes: input.operation === 'delete' ? 0 : 10,
      })),
    ),
  }),
  runSettings: async () => defaultRunSettings,
  replicateArtifact: async (input) => ({
    destinations: input.destinations.map((destination) => ({
      ...destination,
      ok: true,
      outcome: input.operation === 'delete' ? ('deleted' as const) : ('copied' as const),
      bytes: input.operation === 'delete' ? 0 : 10,
    })),
  }),
};

/**
 * Activities that answer from a script (the rest succeed doing nothing), recording every call:
 * workflows run on a real Temporal server without registries or a store.
 */
export function scriptedActivities(script: Partial<ReplicationActivities>) {
  const calls: Array<{ activity: ActivityName; input: unknown }> = [];
  const activities = Object.fromEntries(
    (Object.keys(succeed) as ActivityName[]).map((name) => [
      name,
      (input: never) => {
        calls.push({ activity: name, input });
        return (script[name] ?? succeed[name])(input);
      },
    ]),
  ) as unknown as ReplicationActivities;
  const callsOf = <T>(activity: ActivityName) =>
    calls.filter((call) => call.activity === activity).map((call) => call.input as T);
  return { activities, callsOf };
}
