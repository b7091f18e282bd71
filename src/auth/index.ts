export {
  credentialInstructions,
  loadRootCredentials,
  writeFileAtomically,
  type RootCredentials,
} from './root-credentials.ts';
export { StaticSecrets } from './secrets.ts';
export { loadTokenKey } from './token-key.ts';
