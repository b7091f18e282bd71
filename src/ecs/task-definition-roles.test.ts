import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from './shapes.generated.ts';
import { fargate, td, web } from '../../testing/task-definition-inputs.ts';
import { checkTaskDefinition, isEcrImage, secretSourceOf } from './task-definition-rules.ts';

// What a task's roles and secrets ask of a task definition: ECS's refusals and derived attributes.

const EXECUTION_ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';
const ECR_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:v1';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf';
const PARAMETER_ARN = 'arn:aws:ssm:us-east-1:000000000000:parameter/db/password';
const awslogs = { logDriver: 'awslogs' as const, options: { 'awslogs-group': '/ecs/web' } };

describe('isEcrImage and secretSourceOf', () => {
  const images: [string, readonly string[], boolean][] = [
    [ECR_IMAGE, [], true],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web', [], true],
    // ECS's pattern wants the 12-digit account and a repository after the host.
    ['12345.dkr.ecr.us-east-1.amazonaws.com/web', [], false],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', [], false],
    ['public.ecr.aws/nginx/nginx', [], false],
    ['busybox', ['localhost:4510'], false],
    ['localhost:4510/team/web:v1', ['localhost:4510', '127.0.0.1:4510'], true],
    ['LOCALHOST:4510/team/web', ['localhost:4510'], true],
    ['127.0.0.1:4510/team/web', ['localhost:4510'], false],
    ['localhost:4511/team/web', ['localhost:4510'], false],
  ];
  for (const [image, hosts, expected] of images) {
    it(`${image} with registry hosts [${hosts.join(', ')}]: ${expected ? 'ECR' : 'not ECR'}`, () => {
      assert.equal(isEcrImage(image, hosts), expected);
    });
  }

  const sources: [string, 'asm' | 'ssm' | undefined][] = [
    [SECRET_ARN, 'asm'],
    [`${SECRET_ARN}:password::`, 'asm'],
    [PARAMETER_ARN, 'ssm'],
    ['db-password', 'ssm'],
    ['/db/password', 'ssm'],
    // Parameter Store's way to a Secrets Manager secret is a parameter name.
    ['/aws/reference/secretsmanager/db', 'ssm'],
    // A JSON key needs the secret's ARN: after a name, the colon makes an invalid parameter name.
    ['db:password::', undefined],
    ['db/password', undefined],
    ['/db//password', undefined],
    ['/db/password/', undefined],
    ['', undefined],
    ['arn:aws:s3:::bucket/key', undefined],
    ['arn:aws:secretsmanager:us-east-1:000000000000:db', undefined],
    [`/${'a'.repeat(1010)}`, 'ssm'],
    [`/${'a'.repeat(1011)}`, undefined],
  ];
  for (const [valueFrom, expected] of sources) {
    it(`valueFrom ${valueFrom.slice(0, 60)}: ${expected ?? 'invalid'}`, () => {
      assert.equal(secretSourceOf(valueFrom), expected);
    });
  }
});

describe('checkTaskDefinition: secrets, secret options and registry credentials', () => {
  const withContainer = (container: Partial<ContainerDefinition>, task: Partial<RegisterTaskDefinitionRequest> = {}) =>
    td({ executionRoleArn: EXECUTION_ROLE, containerDefinitions: [{ ...web, ...container }], ...task });

  // ECS's messages, quoted by users (task-definition-rules.ts), but the secret options' own.
  const refused: [string, RegisterTaskDefinitionRequest, string][] = [
    [
      'secrets without an execution role',
      withContainer({ secrets: [{ name: 'DB', valueFrom: SECRET_ARN }] }, { executionRoleArn: undefined }),
      "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
    ],
    [
      'secret options without an execution role',
      withContainer(
        { logConfiguration: { ...awslogs, secretOptions: [{ name: 'token', valueFrom: PARAMETER_ARN }] } },
        { executionRoleArn: undefined },
      ),
      "When you are specifying log configuration secret options, you must also specify a value for 'executionRoleArn'.",
    ],
    [
      'registry credentials without an execution role',
      withContainer({ repositoryCredentials: { credentialsParameter: SECRET_ARN } }, { executionRoleArn: undefined }),
      'Private repository authentication requires that the task definition specify a value for executionRoleArn.',
    ],
    [
      'two secrets of one name',
      withContainer({
        secrets: [
          { name: 'DB', valueFrom: SECRET_ARN },
          { name: 'API', valueFrom: 'api' },
          { name: 'DB', valueFrom: PARAMETER_ARN },
          { name: 'API', valueFrom: 'api2' },
        ],
      }),
      'Duplicate secret names found: DB, API. Each secret name must be unique.',
    ],
    [
      'a secret that is also an environment variable',
      withContainer({ environment: [{ name: 'DB', value: 'x' }], secrets: [{ name: 'DB', valueFrom: SECRET_ARN }] }),
      "The secret name must be unique and not shared with any new or existing environment variables set on the container, such as 'DB'.",
    ],
    [
      'a secret from a JSON key of a secret named by its name',
      withContainer({ secrets: [{ name: 'DB', valueFrom: 'db:password::' }] }),
      'The Systems Manager parameter name specified for secret DB is invalid.',
    ],
    [
      'a secret option from an S3 ARN',
      withContainer({
        logConfiguration: { ...awslogs, secretOptions: [{ name: 'token', valueFrom: 'arn:aws:s3:::b/k' }] },
      }),
      'The Systems Manager parameter name specified for secret token is invalid.',
    ],
  ];
  for (const [what, input, message] of refused) {
    it(`refuses ${what} with ClientException: ${message}`, () => {
      assert.throws(() => checkTaskDefinition(input), { code: 'ClientException', message });
    });
  }

  it('accepts secrets, secret options and registry credentials with an execution role, on EC2 and Fargate', () => {
    const container = {
      secrets: [
        { name: 'DB', valueFrom: SECRET_ARN },
        { name: 'API', valueFrom: '/app/api-key' },
      ],
      logConfiguration: { ...awslogs, secretOptions: [{ name: 'token', valueFrom: PARAMETER_ARN }] },
      repositoryCredentials: { credentialsParameter: SECRET_ARN },
      environment: [{ name: 'MODE', value: 'prod' }],
    };
    assert.deepEqual(checkTaskDefinition(withContainer(container)).compatibilities, ['EC2', 'EXTERNAL']);
    const onFargate = withContainer(container, {
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
    });
    assert.deepEqual(checkTaskDefinition(onFargate).compatibilities, ['EC2', 'FARGATE']);
  });
});

describe('checkTaskDefinition: what Fargate needs an execution role for', () => {
  const onFargate = (container: Partial<ContainerDefinition>, task: Partial<RegisterTaskDefinitionRequest> = {}) => ({
    ...fargate('256', '512'),
    containerDefinitions: [{ name: 'web', image: 'busybox', ...container }],
    ...task,
  });
  const berth = { isEcrImage: (image: string) => isEcrImage(image, ['localhost:4510']) };

  const refused: [string, RegisterTaskDefinitionRequest, typeof berth | undefined, string][] = [
    [
      'an ECR image',
      onFargate({ image: ECR_IMAGE }),
      undefined,
      'Fargate requires task definition to have execution role ARN to support ECR images.',
    ],
    [
      "an image in Berth's registry",
      onFargate({ image: 'localhost:4510/team/web:v1' }),
      berth,
      'Fargate requires task definition to have execution role ARN to support ECR images.',
    ],
    [
      'awslogs',
      onFargate({ logConfiguration: awslogs }),
      undefined,
      'Fargate requires task definition to have execution role ARN to support log driver awslogs.',
    ],
    [
      'an ECR image with awslogs (the image is named first)',
      onFargate({ image: ECR_IMAGE, logConfiguration: awslogs }),
      undefined,
      'Fargate requires task definition to have execution role ARN to support ECR images.',
    ],
  ];
  for (const [what, input, options, message] of refused) {
    it(`refuses ${what} without an execution role: ${message}`, () => {
      assert.throws(() => checkTaskDefinition(input, options), { code: 'ClientException', message });
    });
    it(`registers ${what} with an execution role, FARGATE-compatible`, () => {
      const derived = checkTaskDefinition({ ...input, executionRoleArn: EXECUTION_ROLE }, options);
      assert.deepEqual(derived.compatibilities, ['EC2', 'FARGATE']);
    });
    it(`leaves FARGATE out of the compatibilities of an unrequired definition with ${what} and no role`, () => {
      assert.deepEqual(checkTaskDefinition({ ...input, requiresCompatibilities: [] }, options).compatibilities, [
        'EC2',
      ]);
    });
  }

  it("needs no role for a public image with json-file logs, nor for Berth's registry unless told its hosts", () => {
    assert.deepEqual(checkTaskDefinition(onFargate({ logConfiguration: { logDriver: 'json-file' } })).compatibilities, [
      'EC2',
      'FARGATE',
    ]);
    assert.deepEqual(checkTaskDefinition(onFargate({ image: 'localhost:4510/team/web:v1' })).compatibilities, [
      'EC2',
      'FARGATE',
    ]);
  });

  it('registers an EC2 definition with an ECR image and awslogs without a role (the instance role does that work)', () => {
    const derived = checkTaskDefinition(
      td({ containerDefinitions: [{ ...web, image: ECR_IMAGE, logConfiguration: awslogs }] }),
    );
    assert.deepEqual(derived.compatibilities, ['EC2', 'EXTERNAL']);
  });
});

describe('checkTaskDefinition: requiresAttributes', () => {
  const BASE = 'com.amazonaws.ecs.capability.docker-remote-api.1.18';
  const attributesOf = (input: RegisterTaskDefinitionRequest, options?: Parameters<typeof checkTaskDefinition>[1]) =>
    checkTaskDefinition(input, options)
      .requiresAttributes.map((a) => a.name)
      .filter((name) => name !== BASE);
  const withRole = (container: Partial<ContainerDefinition>, task: Partial<RegisterTaskDefinitionRequest> = {}) =>
    td({ executionRoleArn: EXECUTION_ROLE, containerDefinitions: [{ ...web, ...container }], ...task });

  const cases: [string, RegisterTaskDefinitionRequest, string[]][] = [
    ['a public image, no role', td(), []],
    ['an execution role alone (nothing for it to do)', withRole({}), []],
    [
      'a secret from Secrets Manager',
      withRole({ secrets: [{ name: 'DB', valueFrom: `${SECRET_ARN}:password::` }] }),
      ['ecs.capability.secrets.asm.environment-variables'],
    ],
    [
      'secrets from Parameter Store, by ARN and by name',
      withRole({
        secrets: [
          { name: 'DB', valueFrom: PARAMETER_ARN },
          { name: 'API', valueFrom: '/aws/reference/secretsmanager/api' },
        ],
      }),
      ['ecs.capability.secrets.ssm.environment-variables'],
    ],
    [
      'secret options from both',
      withRole({
        logConfiguration: {
          logDriver: 'json-file',
          secretOptions: [
            { name: 'a', valueFrom: SECRET_ARN },
            { name: 'b', valueFrom: 'b' },
          ],
        },
      }),
      [
        'com.amazonaws.ecs.capability.logging-driver.json-file',
        'ecs.capability.secrets.asm.bootstrap.log-driver',
        'ecs.capability.secrets.ssm.bootstrap.log-driver',
      ],
    ],
    [
      'registry credentials',
      withRole({ repositoryCredentials: { credentialsParameter: SECRET_ARN } }),
      ['ecs.capability.private-registry-authentication.secretsmanager'],
    ],
    [
      'awslogs with an execution role',
      withRole({ logConfiguration: awslogs }),
      ['com.amazonaws.ecs.capability.logging-driver.awslogs', 'ecs.capability.execution-role-awslogs'],
    ],
    [
      'awslogs without one (EC2: the instance role ships it)',
      td({ containerDefinitions: [{ ...web, logConfiguration: awslogs }] }),
      ['com.amazonaws.ecs.capability.logging-driver.awslogs'],
    ],
    [
      'an ECR image with an execution role',
      withRole({ image: ECR_IMAGE }),
      ['com.amazonaws.ecs.capability.ecr-auth', 'ecs.capability.execution-role-ecr-pull'],
    ],
    [
      'an ECR image without one',
      td({ containerDefinitions: [{ ...web, image: ECR_IMAGE }] }),
      ['com.amazonaws.ecs.capability.ecr-auth'],
    ],
    [
      'a task role',
      td({ taskRoleArn: 'arn:aws:iam::000000000000:role/app' }),
      ['com.amazonaws.ecs.capability.task-iam-role'],
    ],
    [
      'a task role in host network mode',
      td({ taskRoleArn: 'arn:aws:iam::000000000000:role/app', networkMode: 'host' }),
      ['com.amazonaws.ecs.capability.task-iam-role', 'com.amazonaws.ecs.capability.task-iam-role-network-host'],
    ],
    ['host network mode without a task role', td({ networkMode: 'host' }), []],
  ];
  for (const [what, input, expected] of cases) {
    it(`${what}: ${expected.join(', ') || 'only the Docker API version'}`, () => {
      assert.deepEqual(attributesOf(input), expected);
    });
  }

  it("counts an image in Berth's registry as an ECR image when told the registry's hosts", () => {
    const input = withRole({ image: 'localhost:4510/team/web:v1' });
    assert.deepEqual(attributesOf(input), []);
    assert.deepEqual(attributesOf(input, { isEcrImage: (image) => isEcrImage(image, ['localhost:4510']) }), [
      'com.amazonaws.ecs.capability.ecr-auth',
      'ecs.capability.execution-role-ecr-pull',
    ]);
  });
});
