import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessRequest } from '../shared/authorization.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { ecsAccess } from './access.ts';

const context = { region: 'us-east-1', accountId: '000000000000' } as RequestContext;
const ecs = 'arn:aws:ecs:us-east-1:000000000000';
const role = (name: string) => `arn:aws:iam::000000000000:role/${name}`;

function declare(operation: string, input: Record<string, unknown>): readonly AccessRequest[] {
  return ecsAccess[operation]!(input as never, context);
}

const CASES: readonly { name: string; operation: string; input: Record<string, unknown>; expected: AccessRequest[] }[] =
  [
    {
      name: 'RunTask: task definition, cluster, defaults, tags on the new tasks, override roles passed',
      operation: 'RunTask',
      input: {
        cluster: 'web',
        taskDefinition: 'app:3',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }],
        tags: [{ key: 'team', value: 'a' }],
        overrides: { taskRoleArn: role('task'), executionRoleArn: role('exec') },
      },
      expected: [
        {
          action: 'ecs:RunTask',
          resource: `${ecs}:task-definition/app:3`,
          conditions: {
            'ecs:cluster': `${ecs}:cluster/web`,
            'aws:RequestTag/team': 'a',
            'aws:TagKeys': ['team'],
            'ecs:capacity-provider': [`${ecs}:capacity-provider/FARGATE`],
            'ecs:enable-execute-command': 'false',
            'ecs:enable-ebs-volumes': 'false',
          },
        },
        {
          action: 'ecs:TagResource',
          resource: `${ecs}:task/web/*`,
          conditions: { 'aws:RequestTag/team': 'a', 'aws:TagKeys': ['team'], 'ecs:CreateAction': 'RunTask' },
        },
        {
          action: 'iam:PassRole',
          resource: role('task'),
          conditions: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        },
        {
          action: 'iam:PassRole',
          resource: role('exec'),
          conditions: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        },
      ],
    },
    {
      name: 'StartTask: the container instances, exec enabled, EBS volumes',
      operation: 'StartTask',
      input: {
        taskDefinition: 'app',
        containerInstances: ['abc'],
        enableExecuteCommand: true,
        volumeConfigurations: [{ name: 'data' }],
      },
      expected: [
        {
          action: 'ecs:StartTask',
          resource: `${ecs}:task-definition/app:*`,
          conditions: {
            'ecs:cluster': `${ecs}:cluster/default`,
            'ecs:enable-execute-command': 'true',
            'ecs:enable-ebs-volumes': 'true',
            'ecs:container-instances': [`${ecs}:container-instance/default/abc`],
          },
        },
      ],
    },
    {
      name: 'CreateService: network, Service Connect, tag propagation, the service role passed to ECS by name',
      operation: 'CreateService',
      input: {
        cluster: 'web',
        serviceName: 'api',
        taskDefinition: 'app:1',
        role: 'ecsServiceRole',
        propagateTags: 'SERVICE',
        enableECSManagedTags: true,
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' } },
        serviceConnectConfiguration: { enabled: true, namespace: 'local' },
      },
      expected: [
        {
          action: 'ecs:CreateService',
          resource: `${ecs}:service/web/api`,
          conditions: {
            'ecs:cluster': `${ecs}:cluster/web`,
            'ecs:enable-execute-command': 'false',
            'ecs:enable-ebs-volumes': 'false',
            'ecs:subnet': ['subnet-1'],
            'ecs:auto-assign-public-ip': 'true',
            'ecs:enable-ecs-managed-tags': 'true',
            'ecs:propagate-tags': 'SERVICE',
            'ecs:enable-service-connect': 'true',
            'ecs:namespace': 'local',
            'ecs:enable-vpc-lattice': 'false',
            'ecs:task-definition': `${ecs}:task-definition/app:1`,
          },
        },
        {
          action: 'iam:PassRole',
          resource: role('ecsServiceRole'),
          conditions: { 'iam:PassedToService': 'ecs.amazonaws.com' },
        },
      ],
    },
    {
      name: 'UpdateService: only what the call changes',
      operation: 'UpdateService',
      input: { cluster: 'web', service: 'api', enableExecuteCommand: true },
      expected: [
        {
          action: 'ecs:UpdateService',
          resource: `${ecs}:service/web/api`,
          conditions: { 'ecs:cluster': `${ecs}:cluster/web`, 'ecs:enable-execute-command': 'true' },
        },
      ],
    },
    {
      name: 'RegisterTaskDefinition: the family, compatibilities, privileged, size in units, roles passed',
      operation: 'RegisterTaskDefinition',
      input: {
        family: 'app',
        requiresCompatibilities: ['FARGATE'],
        cpu: '0.5 vCPU', // 0.5 x 1024 = 512 units
        memory: '1 GB', // 1 x 1024 = 1024 MiB
        containerDefinitions: [{ name: 'a', privileged: true }],
        taskRoleArn: role('task'),
        executionRoleArn: role('exec'),
      },
      expected: [
        {
          action: 'ecs:RegisterTaskDefinition',
          resource: `${ecs}:task-definition/app:*`,
          conditions: {
            'ecs:compute-compatibility': ['FARGATE'],
            'ecs:privileged': 'true',
            'ecs:task-cpu': '512',
            'ecs:task-memory': '1024',
          },
        },
        {
          action: 'iam:PassRole',
          resource: role('task'),
          conditions: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        },
        {
          action: 'iam:PassRole',
          resource: role('exec'),
          conditions: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        },
      ],
    },
    {
      name: 'CreateCluster with tags and capacity providers',
      operation: 'CreateCluster',
      input: { clusterName: 'web', capacityProviders: ['FARGATE'], tags: [{ key: 'env', value: 'prod' }] },
      expected: [
        {
          action: 'ecs:CreateCluster',
          resource: `${ecs}:cluster/web`,
          conditions: {
            'aws:RequestTag/env': 'prod',
            'aws:TagKeys': ['env'],
            'ecs:capacity-provider': [`${ecs}:capacity-provider/FARGATE`],
          },
        },
        {
          action: 'ecs:TagResource',
          resource: `${ecs}:cluster/web`,
          conditions: { 'aws:RequestTag/env': 'prod', 'aws:TagKeys': ['env'], 'ecs:CreateAction': 'CreateCluster' },
        },
      ],
    },
    {
      name: 'UntagResource: the keys removed',
      operation: 'UntagResource',
      input: { resourceArn: `${ecs}:cluster/web`, tagKeys: ['env'] },
      expected: [
        { action: 'ecs:UntagResource', resource: `${ecs}:cluster/web`, conditions: { 'aws:TagKeys': ['env'] } },
      ],
    },
    {
      name: 'PutAccountSetting: the setting name',
      operation: 'PutAccountSetting',
      input: { name: 'containerInsights', value: 'enabled' },
      expected: [
        { action: 'ecs:PutAccountSetting', resource: '*', conditions: { 'ecs:account-setting': 'containerInsights' } },
      ],
    },
    {
      name: 'ListServices: no resource, the cluster as ecs:cluster',
      operation: 'ListServices',
      input: { cluster: 'web' },
      expected: [{ action: 'ecs:ListServices', resource: '*', conditions: { 'ecs:cluster': `${ecs}:cluster/web` } }],
    },
    {
      name: 'DescribeServiceDeployments: cluster and service from the deployment ARN',
      operation: 'DescribeServiceDeployments',
      input: { serviceDeploymentArns: [`${ecs}:service-deployment/web/api/d1`] },
      expected: [
        {
          action: 'ecs:DescribeServiceDeployments',
          resource: `${ecs}:service-deployment/web/api/d1`,
          conditions: { 'ecs:cluster': `${ecs}:cluster/web`, 'ecs:service': `${ecs}:service/web/api` },
        },
      ],
    },
    {
      name: 'CreateTaskSet: on the service’s task sets, with its service and task definition',
      operation: 'CreateTaskSet',
      input: { cluster: 'web', service: 'api', taskDefinition: 'app:2' },
      expected: [
        {
          action: 'ecs:CreateTaskSet',
          resource: `${ecs}:task-set/web/api/*`,
          conditions: {
            'ecs:cluster': `${ecs}:cluster/web`,
            'ecs:service': `${ecs}:service/web/api`,
            'ecs:task-definition': `${ecs}:task-definition/app:2`,
          },
        },
      ],
    },
  ];

for (const { name, operation, input, expected } of CASES) {
  test(`ECS access: ${name}`, () => {
    assert.deepEqual(declare(operation, input), expected);
  });
}
