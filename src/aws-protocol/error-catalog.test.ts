import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ecrSdk from '@aws-sdk/client-ecr';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as logsSdk from '@aws-sdk/client-cloudwatch-logs';
import { ecrErrors } from '../ecr/index.ts';
import { ecsErrors } from '../ecs/index.ts';
import { logsErrors } from '../logs/index.ts';
import { AwsError } from '../shared/aws-error.ts';

// Every error a service can throw must be one the AWS SDK knows, so callers can catch it by class.
function codesOf(catalog: Record<string, unknown>): string[] {
  return Object.values(catalog)
    .filter((value): value is new (message: string) => AwsError => typeof value === 'function')
    .map((ErrorClass) => new ErrorClass('probe'))
    .filter((error) => error instanceof AwsError)
    .map((error) => error.code);
}

describe('error catalogs', () => {
  for (const [service, catalog, sdk] of [
    ['ECS', ecsErrors, ecsSdk],
    ['ECR', ecrErrors, ecrSdk],
    ['CloudWatch Logs', logsErrors, logsSdk],
  ] as const) {
    it(`every ${service} error is an exception class of the AWS SDK`, () => {
      const codes = codesOf(catalog);
      assert.ok(codes.length > 0);
      for (const code of codes)
        assert.equal(typeof (sdk as Record<string, unknown>)[code], 'function', `${code} is not in the ${service} SDK`);
    });
  }
});
