import { AwsError } from '../shared/aws-error.ts';
import type { Clock } from '../shared/clock.ts';
import { unknownPrincipal } from '../shared/principal.ts';
import type { RequestContext } from '../shared/request-context.ts';
import {
  InternalFailure,
  InvalidAction,
  MissingAction,
  MissingParameter,
  NoSuchVersion,
  NotImplementedException,
  SerializationException,
  UnrecognizedClientException,
} from './errors.ts';
import type { AccessControl, DeclareAccess } from '../shared/authorization.ts';
import { authorizeCall, refuseMembers, type JsonResponse, type JsonService, type Operation } from './json-protocol.ts';
import { formParameters, parseQueryInput } from './query-input.ts';
import { errorXml, responseXml } from './query-xml.ts';
import { compileMemberTable, type RefusalCheck } from './refused-members.ts';
import type { ServiceModel } from './service-model.ts';
import { claimedCredential, verifySignature, type SecretLookup, type SignedRequest } from './sigv4.ts';
import { compileInputValidator, describeValidationErrors, type InputValidator } from './validate-input.ts';

/**
 * The AWS query protocol (ELBv2; IAM and STS later): `Action=<Operation>&Version=<apiVersion>&...`
 * as an x-www-form-urlencoded POST body or a GET query string, XML out. The service is the SigV4
 * credential scope's (elasticloadbalancing), the operation the Action. Services are registered
 * exactly as for the JSON protocol: a model, a plain table of operations, what each asks permission
 * for and does with its members, their validation error.
 */
export type QueryService = JsonService;

export interface QueryProtocolOptions {
  readonly services: readonly QueryService[];
  readonly secrets: SecretLookup;
  readonly accessControl: AccessControl;
  readonly clock: Clock;
  readonly accountId: string;
  readonly region: string;
}

export const QUERY_CONTENT_TYPE = 'application/x-www-form-urlencoded';
export const XML_CONTENT_TYPE = 'text/xml';

interface Route {
  readonly name: string;
  readonly validate: InputValidator;
  readonly call: Operation | undefined;
  readonly access: DeclareAccess | undefined;
  readonly members: { readonly refuse: RefusalCheck | undefined } | undefined;
  readonly inputShape: string | undefined;
  readonly outputShape: string | undefined;
  readonly resultWrapper: string | undefined;
}

interface ServiceRoutes {
  readonly service: QueryService;
  readonly routes: Map<string, Route>;
  /** Wire error code → HTTP status, from the model's exception shapes. */
  readonly statuses: Map<string, number>;
}

/** The JSON layer's authentication (and availability) errors under the codes query services give them. */
const QUERY_AUTH_ERRORS: Record<string, { code: string; status: number }> = {
  MissingAuthenticationTokenException: { code: 'MissingAuthenticationToken', status: 403 },
  IncompleteSignatureException: { code: 'IncompleteSignature', status: 400 },
  InvalidSignatureException: { code: 'SignatureDoesNotMatch', status: 403 },
  UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
  ExpiredTokenException: { code: 'ExpiredToken', status: 400 },
  AccessDeniedException: { code: 'AccessDenied', status: 403 },
  // A full data volume (shared/storage-full.ts): query services call it ServiceUnavailable.
  ServiceUnavailableException: { code: 'ServiceUnavailable', status: 503 },
};

export class QueryProtocol {
  readonly #services = new Map<string, ServiceRoutes>();
  readonly #options: QueryProtocolOptions;

  constructor(options: QueryProtocolOptions) {
    this.#options = options;
    for (const service of options.services) {
      const { signingName, endpointPrefix } = service.model.metadata;
      this.#services.set(signingName ?? endpointPrefix, compileRoutes(service));
    }
  }

  /** `search` is the query string; `request.body` the form body of a POST. */
  async handle(request: SignedRequest, search: string, requestId: string): Promise<JsonResponse> {
    const signingName = claimedCredential(request)?.service;
    const target = signingName === undefined ? undefined : this.#services.get(signingName);
    const body = request.body === undefined ? '' : Buffer.from(request.body).toString('utf8');
    const params = formParameters(search, body);
    const action = params.get('Action');
    const route = action === undefined ? undefined : target?.routes.get(action);
    const service = target ? signingName! : 'unknown';
    const operation = route?.name ?? 'unknown';
    try {
      const caller = await verifySignature(request, {
        secrets: this.#options.secrets,
        clock: this.#options.clock,
        region: signingRegion(request, signingName, this.#options.region),
        service: signingName,
      });
      if (!target) throw new UnrecognizedClientException();
      const call = this.#routeOf(target, route, action, params);
      const raw = parseQueryInput(target.service.model, call.inputShape, params);
      const { value, errors } = validateQueryInput(call, raw, target.service);
      if (errors.length > 0) throw target.service.invalidParameter(describeValidationErrors(errors.map(queryPath)));
      const context: RequestContext = {
        requestId,
        accountId: this.#options.accountId,
        region: this.#options.region,
        accessKeyId: caller.accessKeyId,
        principal: this.#options.secrets.principalOf(caller.accessKeyId) ?? unknownPrincipal(this.#options.accountId),
        ...(request.sourceIp === undefined ? {} : { sourceIp: request.sourceIp }),
        ...(request.secureTransport === undefined ? {} : { secureTransport: request.secureTransport }),
      };
      // Authorized first, as AWS does: a caller without permission learns nothing of the input.
      await authorizeCall(this.#options.accessControl, call, value, context);
      refuseMembers(call, value, context);
      const output = await call.call!(value as never, context);
      const xml = responseXml({
        model: target.service.model,
        operation: call.name,
        outputShape: call.outputShape,
        resultWrapper: call.resultWrapper,
        output,
        requestId,
      });
      return { status: 200, body: xml, service, operation, errorCode: undefined, fault: undefined };
    } catch (error) {
      return { ...errorResponse(error, target, requestId), service, operation };
    }
  }

  #routeOf(
    target: ServiceRoutes,
    route: Route | undefined,
    action: string | undefined,
    params: ReadonlyMap<string, string>,
  ): Route {
    if (action === undefined) throw new MissingAction('Could not find operation: the request has no Action.');
    if (!route) throw new InvalidAction(`Could not find operation ${action} for version ${apiVersion(target)}`);
    const version = params.get('Version');
    if (version === undefined) throw new MissingParameter('The request must contain the parameter Version.');
    if (version !== apiVersion(target))
      throw new NoSuchVersion(`The requested version (${version}) of service ${serviceName(target)} does not exist.`);
    if (!route.call) {
      throw new NotImplementedException(`Berth does not implement ${serviceName(target)}:${route.name} yet.`);
    }
    return route;
  }
}

/**
 * Global services are signed for one region whatever region the server serves: the AWS CLI and the
 * SDKs sign IAM for us-east-1. Such a request may carry that region or the server's own.
 */
const GLOBAL_SIGNING_REGIONS: Readonly<Record<string, string>> = { iam: 'us-east-1' };

function signingRegion(request: SignedRequest, signingName: string | undefined, served: string): string {
  const global = signingName === undefined ? undefined : GLOBAL_SIGNING_REGIONS[signingName];
  if (global === undefined) return served;
  const value = request.query['X-Amz-Credential'];
  const credential =
    typeof value === 'string' ? value : /Credential=([^,\s]+)/.exec(request.headers.authorization ?? '')?.[1];
  return credential?.split('/')[2] === global ? global : served;
}

/** Query services answer out-of-range numbers with their validation error, not a serialization one. */
function validateQueryInput(call: Route, raw: Record<string, unknown>, service: QueryService) {
  try {
    return call.validate(raw);
  } catch (error) {
    if (error instanceof SerializationException) throw service.invalidParameter(queryPath(error.message));
    throw error;
  }
}

function errorResponse(
  error: unknown,
  target: ServiceRoutes | undefined,
  requestId: string,
): Pick<JsonResponse, 'status' | 'body' | 'errorCode' | 'fault'> {
  const known = error instanceof AwsError ? error : new InternalFailure();
  const auth = QUERY_AUTH_ERRORS[known.code];
  const code = auth?.code ?? known.code;
  const status = auth?.status ?? target?.statuses.get(code) ?? known.httpStatus ?? (known.senderFault ? 400 : 500);
  const body = errorXml({
    namespace: target?.service.model.metadata.xmlNamespace ?? '',
    senderFault: status < 500,
    code,
    message: known.message,
    requestId,
  });
  return { status, body, errorCode: code, fault: error instanceof AwsError ? undefined : error };
}

function apiVersion(target: ServiceRoutes): string {
  return target.service.model.metadata.apiVersion;
}

function serviceName(target: ServiceRoutes): string {
  const { signingName, endpointPrefix } = target.service.model.metadata;
  return signingName ?? endpointPrefix;
}

function compileRoutes(service: QueryService): ServiceRoutes {
  const model: ServiceModel = service.model;
  const routes = new Map<string, Route>();
  const refusals = compileMemberTable(service.members, service.invalidParameter);
  for (const [name, op] of Object.entries(model.operations)) {
    routes.set(name, {
      name,
      validate: compileInputValidator(model, op.input?.shape),
      call: service.operations[name],
      access: service.access[name],
      members: refusals.has(name) ? { refuse: refusals.get(name) } : undefined,
      inputShape: op.input?.shape,
      outputShape: op.output?.shape,
      resultWrapper: op.output?.resultWrapper,
    });
  }
  const statuses = new Map<string, number>();
  for (const [name, shape] of Object.entries(model.shapes)) {
    if (shape.exception) statuses.set(shape.error?.code ?? name, shape.error?.httpStatusCode ?? 400);
  }
  return { service, routes, statuses };
}

/** Query services name members in camelCase in these messages: at 'targets.1.member.port'. */
export function queryPath(message: string): string {
  return message.replace(
    / at '([^']*)' failed/,
    (_, path: string) =>
      ` at '${path.replace(/(^|\.)([A-Z])/g, (m, dot: string, c: string) => dot + c.toLowerCase())}' failed`,
  );
}
