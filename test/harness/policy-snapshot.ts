import {
  ReplicationPolicyInput,
  policyDefinitionFromInput,
  policySnapshot,
  type PolicySnapshot,
} from '../../policies/index.js';

/**
 * What a run of a policy given as a Harbor body would carry, without a store: Harbor's defaults
 * applied, each destination named `dc-<id>` unless `names` says otherwise.
 */
export function snapshotOf(id: number, body: object, names: Record<number, string> = {}): PolicySnapshot {
  const definition = policyDefinitionFromInput(ReplicationPolicyInput.parse(body));
  return policySnapshot(
    { ...definition, id, creation_time: '2026-11-28T13:00:00Z', update_time: '2026-11-28T13:00:00Z' },
    (registryId) => names[registryId] ?? `dc-${registryId}`,
  );
}

/** A tree: source 1 → hubs 2 and 3 → sites 4, 5 (under 2) and 6, 7 (under 3); hub 3 falls back to the source. */
export const hubsAndSites = snapshotOf(4, {
  name: 'hq-hubs-sites',
  src_registry: { id: 1 },
  tree: [
    { registry: { id: 2 }, children: [{ registry: { id: 4 } }, { registry: { id: 5 } }] },
    {
      registry: { id: 3 },
      on_hub_failure: 'from_parent',
      children: [{ registry: { id: 6 } }, { registry: { id: 7 } }],
    },
  ],
});
