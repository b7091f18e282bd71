export {
  createRegistryHandler,
  type RegistryAction,
  type RegistryHttpOptions,
  type RegistryOutcome,
  type RegistryPrincipal,
} from './registry-http.ts';
export { basicAuthenticator } from './basic-auth.ts';
export { registryAuthenticator } from './authenticate.ts';
