export { loadBerthCa, CA_CERT_FILE, CA_KEY_FILE, type BerthCa } from './berth-ca.ts';
export { createAuthority, issueCertificate, coversNames, type KeyedCertificate, type LeafRequest } from './issue.ts';
export { KEY_ALGORITHMS, keyAlgorithmOf, type KeyAlgorithm } from './keys.ts';
export {
  certificateFacts,
  checkImport,
  pemCertificates,
  type CertificateFacts,
  type ImportedCertificate,
} from './inspect.ts';
