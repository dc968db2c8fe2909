export { createReplicationService, type ReplicationService } from './replication-service.js';
export type { ExecutionFacts, WorkflowStatusName } from './read-execution.js';
export { executionStatus } from './read-execution.js';
export { unrecordedEnd } from './unrecorded-end.js';
export type { DeliveryResult } from './webhooks.js';
export { RegistryEvent } from './registry-event.js';
export { SystemInfo } from './system-info.js';
export { RegistryUnhealthyError } from './registry-ping.js';
export { DriftAuditFailedError } from './drift-audit-failed-error.js';
export { NotificationTestFailedError } from './notification-test.js';
// The JSON notifications carry, for the API's document.
export { NotificationPayload } from '../notifications/index.js';
export type { DriftAuditState } from './drift-audit.js';
// What the API needs to know of the store's lists and tokens, without reaching into it.
export {
  ApiTokenRecord,
  NotificationDelivery,
  Role,
  executionListFields,
  notificationPolicyListFields,
  policyListFields,
  registryListFields,
  type ListField,
  type ListFields,
  type ListPage,
  type ListQuery,
} from '../store/index.js';
export type { FilterPreview, FilterPreviewInput } from './filter-preview.js';
export type { MapLink, MapRegistry, SiteSummary, SitesMap } from './sites-map.js';
export type { PolicySiteStatus, RunBrief, StatusBasis, SyncState } from './site-status.js';
export { taskLog } from './task-log.js';
