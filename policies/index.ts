export { destinationRepository, type DestinationNaming } from './destination-repository.js';
export { DriftAuditSetting, VerifyMode } from './drift-audit-setting.js';
export { matchesFilters, matchesNameFilter, type FilterSubject } from './filter-matching.js';
export { harborCronToTemporal } from './harbor-cron.js';
export { fieldPath, parseInput } from './parse-input.js';
export {
  Mirror,
  Platform,
  PolicyDefinition,
  StoredPolicy,
  defaultMaxDeleteRatio,
} from './policy-definition.js';
export { PolicySnapshot, SnapshotDestination, policySnapshot } from './policy-snapshot.js';
export {
  Registry,
  RegistryDefinition,
  RegistryInput,
  RegistryLimits,
  RegistryPing,
  RegistryType,
  RegistryUpdate,
  StoredRegistry,
  maskedSecret,
  registryView,
} from './registry.js';
export {
  FilterStyle,
  RegistryInfo,
  RegistryProviderInfo,
  registryInfo,
  registryProviderInfos,
} from './registry-capabilities.js';
export { applyRegistryUpdate, registryFromInput } from './registry-changes.js';
export {
  AgeBound,
  FilterSyntax,
  ReplicationFilter,
  ReplicationFilters,
  ageBoundSeconds,
} from './replication-filter.js';
export { literalRepositories, maxLiteralRepositories } from './literal-repositories.js';
export { selectTags, tagSelection, type ImageAges, type TagSelection } from './tag-selection.js';
export { newestTags, tagSatisfies, tagVersion } from './version-range.js';
export { compileRegex, type LinearRegex } from './linear-regex.js';
export { dockerHubApiUrl, registryApi, type RegistryApi } from './registry-api.js';
export {
  OnHubFailure,
  maxTreeDepth,
  maxTreeRegistries,
  registryTree,
  treeIssues,
  treeMembers,
  type TreeMember,
  type TreeNode,
} from './registry-tree.js';
export {
  ReplicationPolicyInput,
  destinationRegistryIds,
  policyDefinitionFromInput,
} from './replication-policy-input.js';
export { ReplicationPolicy, replicationPolicyView } from './replication-policy-view.js';
export { ReplicationTrigger, TriggerType } from './replication-trigger.js';
export { NotificationAddress, notificationAddressProblem } from './notification-address.js';
export {
  NotificationEventType,
  NotificationPolicy,
  NotificationPolicyDefinition,
  NotificationPolicyInput,
  NotificationTarget,
  NotifyType,
  StoredNotificationPolicy,
  notificationPolicyView,
  wantsEvent,
} from './notification-policy.js';
export { notificationPolicyFromInput } from './notification-policy-changes.js';
