import { Decoder, Encoder } from 'cbor-x';
import { SerializationException } from './errors.ts';
import { MAX_JSON_DEPTH, type JsonProtocol, type JsonResponse } from './json-protocol.ts';
import type { SignedRequest } from './sigv4.ts';

/**
 * Smithy RPC v2 CBOR (CloudWatch's protocol for recent SDKs): POST
 * /service/<ServiceName>/operation/<Operation> with `smithy-protocol: rpc-v2-cbor`, a CBOR map in
 * and out (timestamps as tag 1 epoch seconds, blobs as byte strings), errors as a map with
 * `__type` and `message` under the error's HTTP status. The operation is run by the JSON
 * protocol's routes (the service name is the model's targetPrefix), so authentication,
 * validation, authorization and member refusals are the same code for every protocol.
 */
export const CBOR_CONTENT_TYPE = 'application/cbor';
export const SMITHY_PROTOCOL = 'rpc-v2-cbor';
const PATH = /^\/service\/([A-Za-z0-9_.]+)\/operation\/([A-Za-z0-9_]+)$/;

export interface CborResponse extends Omit<JsonResponse, 'body'> {
  readonly body: Uint8Array;
}

/** Whether a request is an RPC v2 CBOR call (by its path and its smithy-protocol header). */
export function isRpcV2CborRequest(
  path: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): boolean {
  return PATH.test(path) && headers['smithy-protocol'] === SMITHY_PROTOCOL;
}

const decoder = new Decoder({ mapsAsObjects: true, useRecords: false });
const encoder = new Encoder({ mapsAsObjects: true, useRecords: false, tagUint8Array: false });

export class RpcV2CborProtocol {
  readonly #json: JsonProtocol;
  constructor(json: JsonProtocol) {
    this.#json = json;
  }

  async handle(request: SignedRequest, requestId: string): Promise<CborResponse> {
    const match = PATH.exec(request.path);
    const target = match ? `${match[1]}.${match[2]}` : undefined;
    const result = await this.#json.invoke(target, request, { requestId, decode: decodeBody });
    const headers = { 'smithy-protocol': SMITHY_PROTOCOL };
    if (result.ok) {
      return {
        status: 200,
        body: encodeCbor(result.output ?? {}),
        service: result.service,
        operation: result.operation,
        errorCode: undefined,
        fault: undefined,
        contentType: CBOR_CONTENT_TYPE,
        headers,
      };
    }
    return {
      status: result.status,
      body: encodeCbor({ __type: result.type, message: result.message }),
      service: result.service,
      operation: result.operation,
      errorCode: result.code,
      fault: result.fault,
      contentType: CBOR_CONTENT_TYPE,
      headers: { ...headers, ...result.headers },
    };
  }
}

/** A CBOR body as the model validator takes JSON: timestamps as epoch seconds, blobs as base64. */
export function decodeBody(body: Uint8Array | undefined): Record<string, unknown> {
  if (body === undefined || body.length === 0) return {};
  let decoded: unknown;
  try {
    decoded = decoder.decode(body);
  } catch (error) {
    throw new SerializationException(`The request body is not valid CBOR: ${(error as Error).message}`);
  }
  const value = toJsonShape(decoded, 0);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SerializationException('The request body must be a CBOR map.');
  }
  return value as Record<string, unknown>;
}

function toJsonShape(value: unknown, depth: number): unknown {
  if (depth > MAX_JSON_DEPTH)
    throw new SerializationException(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map((item) => toJsonShape(item, depth + 1));
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonShape(v, depth + 1)]));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJsonShape(v, depth + 1)]),
    );
  }
  // CBOR's null and undefined both mean "not set".
  return value ?? undefined;
}

/** Encodes an output: members that are undefined are left out, Dates become tag 1 epoch seconds. */
export function encodeCbor(value: unknown): Uint8Array {
  return encoder.encode(withoutUndefined(value));
}

function withoutUndefined(value: unknown): unknown {
  if (value instanceof Date || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, withoutUndefined(v)]),
    );
  }
  return value;
}
