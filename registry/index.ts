export { createRegistryClient, RegistryClient } from './registry-client.js';
export { RateBudget, readRateLimit, type RateBudgetOptions, type RateLimitReading } from './rate-budget.js';
export type {
  CallOptions,
  HeadCallOptions,
  ListOptions,
  Manifest,
  ManifestHead,
  RegistryStats,
  UploadStart,
} from './registry-client.js';
export type { PageOptions } from './paged-names.js';
export { BlobWriter, type BlobWriterOptions, type UploadState } from './blob-writer.js';
export { RequestLimiter } from './request-limiter.js';
export type { TransportOptions } from './transport.js';
export {
  BasicCredentials,
  IdentityTokenCredentials,
  RegistryCredentials,
  RegistryEndpoint,
  parseRegistryEndpoint,
} from './endpoint.js';
export { credentialsFromDockerConfig } from './docker-config.js';
export { dockerConfigFile, endpointOf, type RegistryAccessRules } from './registry-access.js';
export { RegistryAllowList } from './registry-allow-list.js';
export * from './errors.js';
export {
  Descriptor,
  Platform,
  acceptedManifestTypes,
  isIndexMediaType,
  manifestMediaTypes,
  parseManifest,
  platformMatches,
  type ParsedManifest,
} from './manifest.js';
export { copyArtifact } from './copy/copy-artifact.js';
export { planCopy } from './copy/plan-copy.js';
export { forEachBounded } from './copy/for-each-bounded.js';
export { waitAtMost } from './copy/wait-at-most.js';
export { BandwidthLimiter } from './copy/bandwidth-limiter.js';
export { BlobPlacements } from './copy/blob-placements.js';
export { imageCreated } from './image-created.js';
export { verifyArtifact, type ServabilityProblem, type VerifyOptions } from './verify-artifact.js';
export type {
  BlobUpload,
  CopyInput,
  CopyProgress,
  CopyResult,
  CopySource,
  CopyTarget,
  SharedCopyState,
  TargetResult,
  TargetStatus,
  UploadCheckpoints,
} from './copy/copy-types.js';
