import type { SecretsApi } from '../agent/index.ts';
import { ServerError, type signedJsonClient } from './signed-fetch.ts';

const JSON_1_1 = 'application/x-amz-json-1.1';

/** A service's refusal as the agent words it: the code, and the message without the code in front. */
export class SecretsApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The agent's SecretsApi on the server's Secrets Manager and SSM (JSON 1.1, SigV4 with the
 * execution role's session, which `client` carries). A failure that never got an answer (network)
 * is thrown as it is, without a code.
 */
export function httpSecretsApi(
  client: (service: 'secretsmanager' | 'ssm') => ReturnType<typeof signedJsonClient>,
): SecretsApi {
  const secretsManager = client('secretsmanager');
  const ssm = client('ssm');
  const call = async <T>(send: ReturnType<typeof signedJsonClient>, target: string, body: object): Promise<T> => {
    try {
      return await send<T>('/', body, { 'x-amz-target': target, 'content-type': JSON_1_1 });
    } catch (error) {
      if (!(error instanceof ServerError)) throw error;
      const prefix = `${error.code}: `;
      const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
      throw new SecretsApiError(error.code, message);
    }
  };
  return {
    getSecretValue: (input) => call(secretsManager, 'secretsmanager.GetSecretValue', input),
    getParameters: (input) => call(ssm, 'AmazonSSM.GetParameters', input),
  };
}
