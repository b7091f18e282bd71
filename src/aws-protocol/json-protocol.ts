import { AwsError } from '../shared/aws-error.ts';
import { AccessDeniedException } from '../shared/access-denied.ts';
import type { AccessControl, DeclareAccess } from '../shared/authorization.ts';
import type { Clock } from '../shared/clock.ts';
import { unknownPrincipal } from '../shared/principal.ts';
import type { MemberTable } from '../shared/member-classification.ts';
import type { RequestContext } from '../shared/request-context.ts';
import {
  InternalFailure,
  NotImplementedException,
  SerializationException,
  UnknownOperationException,
} from './errors.ts';
import { compileMemberTable, type RefusalCheck } from './refused-members.ts';
import type { ServiceModel } from './service-model.ts';
import { verifySignature, type SecretLookup, type SignedRequest } from './sigv4.ts';
import { compileInputValidator, describeValidationErrors, type InputValidator } from './validate-input.ts';

/**
 * The AWS JSON 1.1 protocol: POST / with X-Amz-Target "<targetPrefix>.<Operation>", a JSON body in,
 * a JSON body out, errors as {"__type", "message"}. Services register a model, a plain table of
 * operations, a table of what each operation asks permission for and a table of what it does with
 * each input member; this layer authenticates, validates against the model, authorizes (deny by
 * default), refuses the members Berth does not support, calls, and serializes.
 */

export type Operation = (input: never, context: RequestContext) => Promise<unknown>;

export interface JsonService {
  readonly model: ServiceModel;
  /** Implemented operations; the model's others answer NotImplementedException. */
  readonly operations: Readonly<Record<string, Operation | undefined>>;
  /**
   * What each implemented operation asks the access control for. An operation without an entry is
   * never dispatched, whoever calls: authorization cannot be forgotten by a new service.
   */
  readonly access: Readonly<Record<string, DeclareAccess | undefined>>;
  /**
   * What each implemented operation does with each input member (src/<service>/members.ts): the
   * refused ones fail the call with `invalidParameter`, naming the member. An operation without an
   * entry is never dispatched: no parameter can be accepted and silently dropped.
   */
  readonly members: MemberTable;
  /** The service's own error for input the model rejects (InvalidParameterException for ECS and ECR). */
  readonly invalidParameter: (message: string) => AwsError;
}

export interface JsonProtocolOptions {
  readonly services: readonly JsonService[];
  readonly secrets: SecretLookup;
  readonly accessControl: AccessControl;
  readonly clock: Clock;
  readonly accountId: string;
  readonly region: string;
}

export interface JsonResponse {
  readonly status: number;
  readonly body: string;
  /** For logs and metrics: "ecs", "ecr", ... or "unknown". */
  readonly service: string;
  readonly operation: string;
  readonly errorCode: string | undefined;
  /** An unexpected failure, to be logged with its stack. */
  readonly fault: unknown;
  /** The response's content type when it is not JSON 1.1's (JSON 1.0 services, CBOR). */
  readonly contentType?: string;
  /** Extra response headers (x-amzn-query-error for awsQueryCompatible services). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What an operation call came to, before it is encoded for its protocol (JSON here, CBOR in cbor-protocol.ts). */
export type Invocation =
  | { readonly ok: true; readonly output: unknown; readonly service: string; readonly operation: string }
  | {
      readonly ok: false;
      readonly status: number;
      /** The error's type for JSON and CBOR bodies: its code, or for awsQueryCompatible services its model shape name. */
      readonly type: string;
      readonly code: string;
      readonly message: string;
      readonly service: string;
      readonly operation: string;
      readonly fault: unknown;
      readonly headers: Readonly<Record<string, string>>;
    };

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

interface Route {
  readonly service: JsonService;
  readonly signingName: string;
  readonly name: string;
  readonly validate: InputValidator;
  readonly call: Operation | undefined;
  readonly access: DeclareAccess | undefined;
  /** Undefined: the operation's members are not classified. */
  readonly members: { readonly refuse: RefusalCheck | undefined } | undefined;
  readonly contentType: string;
  /** awsQueryCompatible services: wire code → the model's error shape name and HTTP status. */
  readonly queryErrors: ReadonlyMap<string, { shape: string; status: number }> | undefined;
}

export class JsonProtocol {
  readonly #routes = new Map<string, Route>();
  readonly #options: JsonProtocolOptions;

  constructor(options: JsonProtocolOptions) {
    this.#options = options;
    for (const service of options.services) {
      const { targetPrefix, signingName, endpointPrefix } = service.model.metadata;
      const refusals = compileMemberTable(service.members, service.invalidParameter);
      const contentType = `application/x-amz-json-${service.model.metadata.jsonVersion ?? '1.1'}`;
      const queryErrors = service.model.metadata.awsQueryCompatible ? queryErrorShapes(service.model) : undefined;
      for (const [name, op] of Object.entries(service.model.operations)) {
        this.#routes.set(`${targetPrefix}.${name}`, {
          service,
          signingName: signingName ?? endpointPrefix,
          name,
          validate: compileInputValidator(service.model, op.input?.shape),
          call: service.operations[name],
          access: service.access[name],
          members: refusals.has(name) ? { refuse: refusals.get(name) } : undefined,
          contentType,
          queryErrors,
        });
      }
    }
  }

  async handle(request: SignedRequest, requestId: string): Promise<JsonResponse> {
    const target = request.headers['x-amz-target'];
    const route = target === undefined ? undefined : this.#routes.get(target);
    const result = await this.invoke(target, request, { requestId, decode: parseBody });
    const contentType = route?.contentType ?? JSON_CONTENT_TYPE;
    if (result.ok) {
      return {
        ...result,
        status: 200,
        body: serialize(result.output ?? {}),
        errorCode: undefined,
        fault: undefined,
        contentType,
      };
    }
    return {
      status: result.status,
      body: JSON.stringify({ __type: result.type, message: result.message }),
      service: result.service,
      operation: result.operation,
      errorCode: result.code,
      fault: result.fault,
      contentType,
      headers: result.headers,
    };
  }

  /**
   * Authenticates, decodes, validates, authorizes and calls the operation `target` names
   * ("<targetPrefix>.<Operation>"); the caller encodes the outcome for its protocol.
   */
  async invoke(
    target: string | undefined,
    request: SignedRequest,
    options: { requestId: string; decode: (body: Uint8Array | undefined) => Record<string, unknown> },
  ): Promise<Invocation> {
    const route = target === undefined ? undefined : this.#routes.get(target);
    const service = route?.signingName ?? 'unknown';
    const operation = route?.name ?? 'unknown';
    try {
      const caller = await verifySignature(request, {
        secrets: this.#options.secrets,
        clock: this.#options.clock,
        region: this.#options.region,
        service: route?.signingName,
      });
      if (!route)
        throw new UnknownOperationException(
          target === undefined ? 'Missing X-Amz-Target header' : `Unknown operation ${target}`,
        );
      if (!route.call) {
        throw new NotImplementedException(`Berth does not implement ${service}:${operation} yet.`);
      }
      const raw = options.decode(request.body);
      const { value, errors } = route.validate(raw);
      if (errors.length > 0) throw route.service.invalidParameter(describeValidationErrors(errors));
      const context = this.#contextOf(request, caller.accessKeyId, options.requestId);
      // Authorized first, as AWS does: a caller without permission learns nothing of the input.
      await authorizeCall(this.#options.accessControl, route, value, context);
      refuseMembers(route, value, context);
      const output = await route.call(value as never, context);
      return { ok: true, output, service, operation };
    } catch (error) {
      return failed(error, route, { service, operation });
    }
  }

  #contextOf(request: SignedRequest, accessKeyId: string, requestId: string): RequestContext {
    return {
      requestId,
      accountId: this.#options.accountId,
      region: this.#options.region,
      accessKeyId,
      principal: this.#options.secrets.principalOf(accessKeyId) ?? unknownPrincipal(this.#options.accountId),
      ...(request.sourceIp === undefined ? {} : { sourceIp: request.sourceIp }),
      ...(request.secureTransport === undefined ? {} : { secureTransport: request.secureTransport }),
      host: request.headers.host,
    };
  }
}

/** A failed call's invocation: its status, type and, for awsQueryCompatible services, the query code header. */
function failed(error: unknown, route: Route | undefined, names: { service: string; operation: string }): Invocation {
  const known = error instanceof AwsError ? error : new InternalFailure();
  const modeled = route?.queryErrors?.get(known.code);
  const status = modeled?.status ?? known.httpStatus ?? (known.senderFault ? 400 : 500);
  return {
    ok: false,
    status,
    type: modeled?.shape ?? known.code,
    code: known.code,
    message: known.message,
    ...names,
    fault: error instanceof AwsError ? undefined : error,
    // awsQueryCompatible: the SDKs take the query protocol's code from this header.
    headers: route?.queryErrors
      ? { 'x-amzn-query-error': `${known.code};${status < 500 ? 'Sender' : 'Receiver'}` }
      : {},
  };
}

/** An awsQueryCompatible model's error shapes by their query wire code. */
function queryErrorShapes(model: ServiceModel): Map<string, { shape: string; status: number }> {
  const shapes = new Map<string, { shape: string; status: number }>();
  for (const [name, shape] of Object.entries(model.shapes)) {
    if (shape.exception)
      shapes.set(shape.error?.code ?? name, { shape: name, status: shape.error?.httpStatusCode ?? 400 });
  }
  return shapes;
}

/** Asks the access control for what the operation declares; refuses an operation that declares nothing. */
export async function authorizeCall(
  accessControl: AccessControl,
  route: { readonly access: DeclareAccess | undefined; readonly name: string },
  input: unknown,
  context: RequestContext,
): Promise<void> {
  if (!route.access) {
    throw new AccessDeniedException(
      `User: ${context.principal.arn} is not authorized to perform: ${route.name}: Berth declares no authorization for it, so no one may call it`,
    );
  }
  await accessControl.authorize(context, route.access(input as never, context));
}

/**
 * Fails a call that sets a member Berth refuses (src/<service>/members.ts), naming it, and one to
 * an operation whose members nobody classified. From the input alone, like authorization.
 */
export function refuseMembers(
  route: { readonly members: { readonly refuse: RefusalCheck | undefined } | undefined; readonly name: string },
  input: Record<string, unknown>,
  context: RequestContext,
): void {
  if (!route.members) {
    throw new NotImplementedException(
      `Berth does not run ${route.name}: no table says which of its parameters Berth acts on.`,
    );
  }
  route.members.refuse?.(input, { accountId: context.accountId });
}

/**
 * Deeper than any AWS input shape nests (an ECS container definition's deepest member is about ten
 * levels down): a request past it is refused before parsing, so that neither the parser nor the
 * recursive checks after it can run out of stack.
 */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of arrays and objects in a JSON text, in one pass (strings skipped). */
export function jsonDepth(text: Uint8Array, stopAt = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > stopAt) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

export function parseBody(body: Uint8Array | undefined): Record<string, unknown> {
  if (body === undefined || body.length === 0) return {};
  if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new SerializationException(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (error) {
    throw new SerializationException(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SerializationException('The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** JSON 1.1 sends timestamps as epoch seconds (numbers) and blobs as base64. */
export function serialize(output: unknown): string {
  return JSON.stringify(output, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return raw.getTime() / 1000;
    if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
    return value;
  });
}
