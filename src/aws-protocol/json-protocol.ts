import { AwsError } from '../shared/aws-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import {
  InternalFailure,
  NotImplementedException,
  SerializationException,
  UnknownOperationException,
} from './errors.ts';
import type { ServiceModel } from './service-model.ts';
import { verifySignature, type SecretLookup, type SignedRequest } from './sigv4.ts';
import { compileInputValidator, describeValidationErrors, type InputValidator } from './validate-input.ts';

/**
 * The AWS JSON 1.1 protocol: POST / with X-Amz-Target "<targetPrefix>.<Operation>", a JSON body in,
 * a JSON body out, errors as {"__type", "message"}. Services register a model and a plain table
 * of operations; this layer authenticates, validates against the model, calls, and serializes.
 */

export type Operation = (input: never, context: RequestContext) => Promise<unknown>;

export interface JsonService {
  readonly model: ServiceModel;
  /** Implemented operations; the model's others answer NotImplementedException. */
  readonly operations: Readonly<Record<string, Operation | undefined>>;
  /** The service's own error for input the model rejects (InvalidParameterException for ECS and ECR). */
  readonly invalidParameter: (message: string) => AwsError;
}

export interface JsonProtocolOptions {
  readonly services: readonly JsonService[];
  readonly secrets: SecretLookup;
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
}

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

interface Route {
  readonly service: JsonService;
  readonly signingName: string;
  readonly name: string;
  readonly validate: InputValidator;
  readonly call: Operation | undefined;
}

export class JsonProtocol {
  readonly #routes = new Map<string, Route>();
  readonly #options: JsonProtocolOptions;

  constructor(options: JsonProtocolOptions) {
    this.#options = options;
    for (const service of options.services) {
      const { targetPrefix, signingName, endpointPrefix } = service.model.metadata;
      for (const [name, op] of Object.entries(service.model.operations)) {
        this.#routes.set(`${targetPrefix}.${name}`, {
          service,
          signingName: signingName ?? endpointPrefix,
          name,
          validate: compileInputValidator(service.model, op.input?.shape),
          call: service.operations[name],
        });
      }
    }
  }

  async handle(request: SignedRequest, requestId: string): Promise<JsonResponse> {
    const target = request.headers['x-amz-target'];
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
      const raw = parseBody(request.body);
      const { value, errors } = route.validate(raw);
      if (errors.length > 0) throw route.service.invalidParameter(describeValidationErrors(errors));
      const context: RequestContext = {
        requestId,
        accountId: this.#options.accountId,
        region: this.#options.region,
        accessKeyId: caller.accessKeyId,
        principal: this.#options.secrets.principalOf(caller.accessKeyId) ?? { arn: 'unknown', root: false },
      };
      const output = await route.call(value as never, context);
      return { status: 200, body: serialize(output ?? {}), service, operation, errorCode: undefined, fault: undefined };
    } catch (error) {
      const known = error instanceof AwsError ? error : new InternalFailure();
      const status = known.httpStatus ?? (known.senderFault ? 400 : 500);
      const body = JSON.stringify({ __type: known.code, message: known.message });
      return {
        status,
        body,
        service,
        operation,
        errorCode: known.code,
        fault: error instanceof AwsError ? undefined : error,
      };
    }
  }
}

function parseBody(body: Uint8Array | undefined): Record<string, unknown> {
  if (body === undefined || body.length === 0) return {};
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
