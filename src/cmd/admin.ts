import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifySignature, type SecretLookup } from '../aws-protocol/index.ts';
import { AwsError } from '../shared/aws-error.ts';
import type { Clock } from '../shared/clock.ts';

/** The path of the on-demand registry garbage collection (what `berth gc` calls). */
export const GC_PATH = '/berth/registry/garbage-collection';

export interface AdminOptions {
  readonly secrets: SecretLookup;
  readonly clock: Clock;
  readonly region: string;
  readonly collectGarbage: () => Promise<object>;
}

/**
 * Berth's own operations, outside the AWS APIs: POST /berth/registry/garbage-collection runs a
 * registry garbage collection now. Callers sign it with SigV4 like any ECR call (service `ecr`).
 */
export function createAdminHandler(options: AdminOptions) {
  return async (request: IncomingMessage, response: ServerResponse, path: string): Promise<string | undefined> => {
    if (path !== GC_PATH || request.method !== 'POST') return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
    try {
      await verifySignature(
        {
          method: 'POST',
          path,
          query: {},
          headers: request.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        },
        { secrets: options.secrets, clock: options.clock, region: options.region, service: 'ecr' },
      );
      send(response, 200, await options.collectGarbage());
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      send(response, error.httpStatus ?? 400, { __type: error.code, message: error.message });
    }
    return 'RegistryGarbageCollection';
  };
}

function send(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
