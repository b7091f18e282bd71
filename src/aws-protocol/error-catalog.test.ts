import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ecrSdk from '@aws-sdk/client-ecr';
import * as ecsSdk from '@aws-sdk/client-ecs';
import * as logsSdk from '@aws-sdk/client-cloudwatch-logs';
import * as ssmSdk from '@aws-sdk/client-ssm';
import * as kmsSdk from '@aws-sdk/client-kms';
import * as secretsManagerSdk from '@aws-sdk/client-secrets-manager';
import * as elbSdk from '@aws-sdk/client-elastic-load-balancing-v2';
import * as iamSdk from '@aws-sdk/client-iam';
import * as stsSdk from '@aws-sdk/client-sts';
import * as acmSdk from '@aws-sdk/client-acm';
import { acmErrors } from '../acm/index.ts';
import { ecrErrors } from '../ecr/index.ts';
import { ecsErrors } from '../ecs/index.ts';
import { logsErrors } from '../logs/index.ts';
import { ssmErrors } from '../ssm/index.ts';
import { kmsErrors } from '../kms/index.ts';
import { secretsManagerErrors } from '../secretsmanager/index.ts';
import { elbErrors } from '../elb/index.ts';
import { iamErrors } from '../iam/index.ts';
import { stsErrors } from '../sts/index.ts';
import { serviceDiscoveryErrors } from '../servicediscovery/index.ts';
import { loadServiceModel, type ShippedModel } from './service-model.ts';
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
    ['SSM', ssmErrors, ssmSdk],
    ['KMS', kmsErrors, kmsSdk],
    ['Secrets Manager', secretsManagerErrors, secretsManagerSdk],
    ['ACM', acmErrors, acmSdk],
  ] as const) {
    it(`every ${service} error is an exception class of the AWS SDK`, () => {
      const codes = codesOf(catalog);
      assert.ok(codes.length > 0);
      for (const code of codes)
        assert.equal(typeof (sdk as Record<string, unknown>)[code], 'function', `${code} is not in the ${service} SDK`);
    });
  }

  // Query services name their classes after the model's shapes and put the shape's error code on
  // the wire: each class must be such a shape, with that code, and an SDK class.
  for (const [service, model, catalog, sdk] of [
    ['ELBv2', 'elbv2-2015-12-01', elbErrors, elbSdk],
    ['IAM', 'iam-2010-05-08', iamErrors, iamSdk],
    ['STS', 'sts-2011-06-15', stsErrors, stsSdk],
  ] as const satisfies readonly (readonly [string, ShippedModel, object, object])[]) {
    it(`every ${service} error is a model exception shape with its wire code, and an SDK class`, () => {
      const shapes = loadServiceModel(model).shapes;
      const errors = Object.entries(catalog).filter(([, value]) => typeof value === 'function');
      assert.ok(errors.length > 0);
      for (const [name, ErrorClass] of errors) {
        const error = new (ErrorClass as new (message: string) => AwsError)('probe');
        if (!(error instanceof AwsError)) continue;
        if (error.code === 'ValidationError') continue; // the query services' common error: no shape
        assert.equal(shapes[name]?.error?.code, error.code, `${name} is not the model's ${error.code}`);
        assert.equal(typeof (sdk as Record<string, unknown>)[name], 'function', `${name} is not in the ${service} SDK`);
      }
    });
  }

  // Berth has no @aws-sdk/client-servicediscovery: Cloud Map's errors are checked against its model,
  // whose exception shapes are what the SDK's classes are generated from.
  it('every Cloud Map error is an exception shape of the servicediscovery model', () => {
    const shapes = loadServiceModel('servicediscovery-2017-03-14').shapes;
    const codes = codesOf(serviceDiscoveryErrors);
    assert.ok(codes.length > 0);
    for (const code of codes) assert.equal(shapes[code]?.exception, true, `${code} is not a Cloud Map exception`);
  });
});
