export {
  JsonProtocol,
  JSON_CONTENT_TYPE,
  serialize,
  type JsonService,
  type JsonResponse,
  type Operation,
} from './json-protocol.ts';
export { CBOR_CONTENT_TYPE, isRpcV2CborRequest, RpcV2CborProtocol, type CborResponse } from './cbor-protocol.ts';
export { loadServiceModel, type ServiceModel } from './service-model.ts';
export {
  claimedCredential,
  isPresigned,
  presignGetUrl,
  verifySignature,
  type SecretLookup,
  type SessionCredential,
  type SignedRequest,
  type VerifiedCaller,
} from './sigv4.ts';
export {
  ExpiredTokenException,
  IncompleteSignatureException,
  InvalidSecurityTokenException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  RequestEntityTooLargeException,
  UnrecognizedClientException,
} from './errors.ts';
export {
  QueryProtocol,
  QUERY_CONTENT_TYPE,
  XML_CONTENT_TYPE,
  type QueryProtocolOptions,
  type QueryService,
} from './query-protocol.ts';
