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
