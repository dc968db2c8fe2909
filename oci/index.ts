export {
  assertDigest,
  assertRepositoryName,
  assertTag,
  isDigest,
  isRepositoryName,
  isTag,
  maxRepositoryLength,
  parseReference,
  referrersTag,
  repositoryPattern,
  type Reference,
} from './names.js';
export {
  BasicCredential,
  CaCertificate,
  DockerConfigCredential,
  RegistryAccess,
  RegistryCredential,
  RegistryUrl,
  registryOrigin,
  registryUrlProblem,
} from './registry-access.js';
