export { destinationRepository, type DestinationNaming } from './destination-repository.js';
export { DriftAuditSetting, VerifyMode } from './drift-audit-setting.js';
export { matchesFilters, matchesNameFilter, type FilterSubject } from './filter-matching.js';
export { harborCronToTemporal } from './harbor-cron.js';
export { fieldPath, parseInput } from './parse-input.js';
export { PolicyDefinition, StoredPolicy, policyDefinitionFromInput } from './policy-definition.js';
export {
  BasicCredential,
  DockerConfigCredential,
  Registry,
  RegistryCredential,
  RegistryInput,
  RegistryPing,
  RegistryType,
  RegistryUpdate,
  maskedSecret,
} from './registry.js';
export { ReplicationFilter } from './replication-filter.js';
export { Mirror, Platform, ReplicationPolicyInput, destinationRegistryIds } from './replication-policy.js';
export { ReplicationPolicy, replicationPolicyView } from './replication-policy-view.js';
export { ReplicationTrigger, TriggerType } from './replication-trigger.js';
