import { RefreshingCredentials, type AgentCredentials, type CredentialSource } from '../agent/index.ts';
import type { ServerEndpoint } from './server-endpoints.ts';
import { signedQueryClient, xmlText } from './signed-fetch.ts';

/** What the ECS agent gets from EC2 by default: an hour, the role's default MaxSessionDuration. */
const SESSION_SECONDS = 3600;

export interface InstanceProfileOptions {
  readonly endpoint: ServerEndpoint;
  readonly region: string;
  /** The keys this host starts with: allowed iam:GetInstanceProfile and sts:AssumeRole on its role. */
  readonly bootstrap: CredentialSource;
  readonly instanceProfile: string;
  /** The session's name: the EC2 instance id, as EC2 names an instance role's sessions. */
  readonly sessionName: string;
  readonly now: () => Date;
  readonly onRenewalFailed?: (error: unknown) => void;
}

/**
 * The role session of an instance profile, as an EC2 instance gets it from its instance metadata:
 * the profile's role (GetInstanceProfile, read again at each renewal, so a role swapped into the
 * profile takes over) assumed through STS with the bootstrap keys, renewed before it expires.
 */
export function instanceProfileCredentials(options: InstanceProfileOptions): RefreshingCredentials {
  // IAM is global: signed for us-east-1, whatever region the server serves.
  const iam = signedQueryClient({
    endpoint: options.endpoint,
    credentials: options.bootstrap,
    region: 'us-east-1',
    service: 'iam',
    version: '2010-05-08',
  });
  const sts = signedQueryClient({
    endpoint: options.endpoint,
    credentials: options.bootstrap,
    region: options.region,
    service: 'sts',
    version: '2011-06-15',
  });
  const issue = async (): Promise<AgentCredentials & { expiration: Date }> => {
    const profile = await iam('GetInstanceProfile', { InstanceProfileName: options.instanceProfile });
    const roleArn = xmlText(/<Roles>([\s\S]*)<\/Roles>/.exec(profile)?.[1] ?? '', 'Arn');
    if (roleArn === undefined) throw new Error(`the instance profile ${options.instanceProfile} has no role`);
    const answer = await sts('AssumeRole', {
      RoleArn: roleArn,
      RoleSessionName: options.sessionName,
      DurationSeconds: String(SESSION_SECONDS),
    });
    const credentials = /<Credentials>([\s\S]*)<\/Credentials>/.exec(answer)?.[1] ?? '';
    const accessKeyId = xmlText(credentials, 'AccessKeyId');
    const secretAccessKey = xmlText(credentials, 'SecretAccessKey');
    const sessionToken = xmlText(credentials, 'SessionToken');
    const expiration = new Date(xmlText(credentials, 'Expiration') ?? NaN);
    if (!accessKeyId || !secretAccessKey || !sessionToken || Number.isNaN(expiration.getTime()))
      throw new Error(`AssumeRole answered without credentials: ${answer.slice(0, 200)}`);
    return { accessKeyId, secretAccessKey, sessionToken, expiration };
  };
  return new RefreshingCredentials(issue, {
    now: options.now,
    ...(options.onRenewalFailed ? { onRenewalFailed: options.onRenewalFailed } : {}),
  });
}
