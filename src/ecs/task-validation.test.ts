import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterRecord } from '../store/index.ts';
import type { RunTaskRequest, TaskDefinition } from './shapes.generated.ts';
import { checkNetwork, launchTypeOf } from './task-validation.ts';

const cluster: ClusterRecord = {
  name: 'c',
  arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
  status: 'ACTIVE',
  createdAt: new Date(0),
  details: { capacityProviders: ['FARGATE', 'FARGATE_SPOT'] },
};
const fargateDefinition: TaskDefinition = {
  family: 'web',
  networkMode: 'awsvpc',
  cpu: '256',
  memory: '512',
  compatibilities: ['EC2', 'FARGATE'],
  placementConstraints: [],
  volumes: [],
  containerDefinitions: [{ name: 'web', image: 'busybox' }],
};
const network = { awsvpcConfiguration: { subnets: ['subnet-1'] } };
const onFargate: RunTaskRequest = { taskDefinition: 'web', launchType: 'FARGATE', networkConfiguration: network };
const onFargateSpot: RunTaskRequest = {
  taskDefinition: 'web',
  capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
  networkConfiguration: network,
};
const refusal = { code: 'InvalidParameterException', message: 'Task definition does not support launch_type FARGATE.' };

describe('checkNetwork with the FARGATE launch type', () => {
  it('runs a definition registered as FARGATE-compatible', () => {
    checkNetwork(fargateDefinition, onFargate, launchTypeOf(onFargate, cluster));
    checkNetwork(fargateDefinition, onFargateSpot, launchTypeOf(onFargateSpot, cluster));
  });

  it('refuses a definition registered for EC2 only, by launch type or capacity provider', () => {
    const ec2Only = { ...fargateDefinition, compatibilities: ['EC2' as const] };
    assert.throws(() => checkNetwork(ec2Only, onFargate, launchTypeOf(onFargate, cluster)), refusal);
    assert.throws(() => checkNetwork(ec2Only, onFargateSpot, launchTypeOf(onFargateSpot, cluster)), refusal);
  });

  // A definition stored before Fargate's rules were checked can list FARGATE and still be privileged.
  const stored: [string, TaskDefinition][] = [
    [
      'a privileged container',
      { ...fargateDefinition, containerDefinitions: [{ name: 'web', image: 'busybox', privileged: true }] },
    ],
    [
      'SYS_ADMIN',
      {
        ...fargateDefinition,
        containerDefinitions: [
          { name: 'web', image: 'busybox', linuxParameters: { capabilities: { add: ['SYS_ADMIN'] } } },
        ],
      },
    ],
    ['pidMode host', { ...fargateDefinition, pidMode: 'host' }],
    ['a host path volume', { ...fargateDefinition, volumes: [{ name: 'root', host: { sourcePath: '/' } }] }],
  ];
  for (const [what, definition] of stored) {
    it(`refuses a stored FARGATE-compatible definition with ${what}`, () => {
      assert.throws(() => checkNetwork(definition, onFargate, 'FARGATE'), refusal);
      assert.throws(() => checkNetwork(definition, onFargateSpot, launchTypeOf(onFargateSpot, cluster)), refusal);
    });
  }
});
