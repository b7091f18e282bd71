export {
  needsSecrets,
  resolveRepositoryCredentials,
  resolveSecrets,
  type ResolvedSecrets,
  type SecretsApi,
} from './resolve-secrets.ts';
export {
  MAX_PARAMETERS_PER_CALL,
  isSecretsManagerArn,
  parseSecretReference,
  type SecretReference,
} from './secret-references.ts';
