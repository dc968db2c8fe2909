export { ApiTokenRecord, Role, type ApiTokenStore } from './api-token-store.js';
export {
  ExecutionRecord,
  executionListFields,
  type CreateExecutionInput,
  type ExecutionStore,
} from './execution-store.js';
export type { DriftStateChange, DriftStateStore } from './drift-state-store.js';
export {
  DeliveryStatus,
  NotificationDelivery,
  type DeliveryAttempt,
  type NotificationDeliveryStore,
  type QueuedDelivery,
} from './notification-delivery-store.js';
export { notificationPolicyListFields, type NotificationPolicyStore } from './notification-policy-store.js';
export { ListQuery, type ListField, type ListFields, type ListPage } from './list-query.js';
export { openStore, type Store, type StoreOptions } from './open-store.js';
export { policyListFields, type PolicyStore } from './policy-store.js';
export { makePrivateFolder } from './private-files.js';
export { registryListFields, type RegistryStore } from './registry-store.js';
export type { PrunePlanStore } from './prune-plan-store.js';
export type { RunPage, RunPageStore } from './run-page-store.js';
export { sourceChangeKey, type SourceChange, type SourceChangeStore } from './source-change-store.js';
export {
  ConflictError,
  NotFoundError,
  PreconditionError,
  SecretKeyMismatchError,
  StoreUnavailableError,
} from './store-errors.js';
