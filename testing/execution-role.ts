import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { TestServer } from './server.ts';

/** The role the ECS console creates for task execution, and the AWS managed policy it attaches. */
export const EXECUTION_ROLE_NAME = 'ecsTaskExecutionRole';
export const EXECUTION_ROLE_POLICY_ARN = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

/** The trust policy that lets ECS tasks (their agent) assume a role. */
export const ECS_TASKS_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/**
 * The task execution role a FARGATE definition needs for an ECR image or awslogs, as a user makes it
 * on AWS: trusted by ecs-tasks.amazonaws.com, with AmazonECSTaskExecutionRolePolicy attached. Made
 * through the IAM API as the root; resolves with its ARN. Made once: a second call (another suite
 * on the same server) answers the existing role's ARN. `statements` become the role's inline policy
 * (what the managed policy does not grant: environment files' s3:GetObject, secrets' reads).
 */
export async function createExecutionRole(
  server: Pick<TestServer, 'url' | 'credentials'>,
  options: { name?: string; statements?: readonly object[] } = {},
): Promise<string> {
  const name = options.name ?? EXECUTION_ROLE_NAME;
  // IAM is global: the SDK signs it for us-east-1, whatever region the server serves.
  const iam = new IAMClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials });
  try {
    const existing = await iam.send(new GetRoleCommand({ RoleName: name })).catch((error: { name?: string }) => {
      if (error.name === 'NoSuchEntityException') return undefined;
      throw error;
    });
    const arn = existing?.Role?.Arn ?? (await createRole(iam, name));
    if (options.statements?.length) {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: name,
          PolicyName: 'inline',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: options.statements }),
        }),
      );
    }
    return arn;
  } finally {
    iam.destroy();
  }
}

async function createRole(iam: IAMClient, name: string): Promise<string> {
  const { Role } = await iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: ECS_TASKS_TRUST_POLICY }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: EXECUTION_ROLE_POLICY_ARN }));
  return Role!.Arn!;
}
