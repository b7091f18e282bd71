import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ecsEnvironment } from './ecs-environment.ts';

const taskArn = 'arn:aws:ecs:eu-west-3:000000000000:task/c/0123456789abcdef0123456789abcdef';

describe('ecsEnvironment', () => {
  const cases: [string, Parameters<typeof ecsEnvironment>, Record<string, string>][] = [
    [
      'FARGATE',
      [{ taskArn, launchType: 'FARGATE' }, {}],
      { AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE', AWS_REGION: 'eu-west-3', AWS_DEFAULT_REGION: 'eu-west-3' },
    ],
    [
      'EC2',
      [{ taskArn, launchType: 'EC2' }, {}],
      { AWS_EXECUTION_ENV: 'AWS_ECS_EC2', AWS_REGION: 'eu-west-3', AWS_DEFAULT_REGION: 'eu-west-3' },
    ],
    // The ECS agent injects neither region variable when the definition sets one of them.
    [
      'a definition that sets AWS_REGION',
      [{ taskArn, launchType: 'EC2' }, { environment: [{ name: 'AWS_REGION', value: 'us-west-2' }] }],
      { AWS_EXECUTION_ENV: 'AWS_ECS_EC2' },
    ],
    [
      'environment files that set AWS_DEFAULT_REGION',
      [{ taskArn, launchType: 'FARGATE' }, {}, { AWS_DEFAULT_REGION: 'us-west-2' }],
      { AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE' },
    ],
    [
      'a launch type ECS documents no value for',
      [{ taskArn, launchType: 'EXTERNAL' }, {}],
      { AWS_REGION: 'eu-west-3', AWS_DEFAULT_REGION: 'eu-west-3' },
    ],
  ];
  for (const [what, args, expected] of cases) {
    it(what, () => assert.deepEqual(ecsEnvironment(...args), expected));
  }
});
