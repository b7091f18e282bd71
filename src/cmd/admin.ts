import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifySignature, type SecretLookup } from '../aws-protocol/index.ts';
import { AwsError } from '../shared/aws-error.ts';
import type { Clock } from '../shared/clock.ts';

/** Berth's own operations, by path: what `berth gc` and `berth lifecycle` call. */
export const ADMIN_OPERATIONS = {
  '/berth/registry/garbage-collection': 'RegistryGarbageCollection',
  '/berth/registry/lifecycle-evaluation': 'RegistryLifecycleEvaluation',
} as const;

export type AdminPath = keyof typeof ADMIN_OPERATIONS;

export interface AdminOptions {
  readonly secrets: SecretLookup;
  readonly clock: Clock;
  readonly region: string;
  readonly actions: Readonly<Record<AdminPath, () => Promise<object>>>;
}

/**
 * Berth's own operations, outside the AWS APIs: POST one of ADMIN_OPERATIONS' paths to run it now
 * (registry garbage collection, lifecycle policies). Callers sign it with SigV4 like any ECR call.
 */
export function createAdminHandler(options: AdminOptions) {
  return async (request: IncomingMessage, response: ServerResponse, path: string): Promise<string | undefined> => {
    if (!(path in ADMIN_OPERATIONS) || request.method !== 'POST') return undefined;
    const adminPath = path as AdminPath;
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
      send(response, 200, await options.actions[adminPath]());
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      send(response, error.httpStatus ?? 400, { __type: error.code, message: error.message });
    }
    return ADMIN_OPERATIONS[adminPath];
  };
}

function send(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
