import { deflateRawSync } from 'node:zlib';
import { AccessDeniedException } from '../shared/access-denied.ts';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { MalformedPolicyDocumentException, PackedPolicyTooLargeException, ValidationError } from './errors.ts';
import type { RoleLookup } from './roles.ts';
import { assumedRolePrincipal } from './session-principal.ts';
import type { SessionDirectory, TemporaryCredentials } from './sessions.ts';
import type {
  AssumeRoleRequest,
  AssumeRoleResponse,
  Credentials,
  GetCallerIdentityResponse,
  GetSessionTokenRequest,
  GetSessionTokenResponse,
  StsApi,
} from './shapes.generated.ts';

export interface StsDeps {
  readonly sessions: SessionDirectory;
  readonly roles: RoleLookup;
  readonly clock: Clock;
  /**
   * Checks a session policy's text as an identity policy (the evaluator's parsePolicy), throwing
   * with the reason when it is malformed.
   */
  readonly checkPolicy: (text: string) => void;
  /** A managed policy's default version's document, by ARN; undefined when there is none. */
  readonly managedPolicyDocument: (arn: string) => string | undefined;
}

const DEFAULT_ROLE_SESSION_SECONDS = 3600;
/** A role session's own session (role chaining) lasts at most an hour. */
const CHAINED_SESSION_SECONDS = 3600;
const DEFAULT_SESSION_TOKEN_SECONDS = 43_200;
/** The root's GetSessionToken sessions last at most an hour. */
const ROOT_SESSION_TOKEN_SECONDS = 3600;
/** STS packs session policies and tags into the token; Berth measures them against this many bytes. */
const PACKED_LIMIT_BYTES = 2048;
/** The session policies' plain text may not exceed this many characters, inline and managed together. */
const SESSION_POLICY_CHARACTERS = 2048;

export function stsOperations(deps: StsDeps): Partial<StsApi> {
  return {
    GetCallerIdentity: async (_input, context) => getCallerIdentity(context),
    AssumeRole: (input, context) => assumeRole(deps, input, context),
    GetSessionToken: (input, context) => getSessionToken(deps, input, context),
  };
}

/** Who signed the request, as AWS answers it for root, users and role sessions; needs no permission. */
function getCallerIdentity(context: RequestContext): GetCallerIdentityResponse {
  const { principal } = context;
  return { UserId: principal.userId, Account: principal.accountId, Arn: principal.arn };
}

async function assumeRole(
  deps: StsDeps,
  input: AssumeRoleRequest,
  context: RequestContext,
): Promise<AssumeRoleResponse> {
  const { principal } = context;
  if (principal.root) throw new AccessDeniedException('Roles may not be assumed by root accounts.');
  const role = deps.roles.roleByArn(input.RoleArn);
  if (role === undefined) {
    // The access control let it through (an identity policy allowing sts:AssumeRole on *): AWS
    // answers an unknown role as it answers one that does not trust the caller.
    throw new AccessDeniedException(
      `User: ${principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
    );
  }
  const seconds = input.DurationSeconds ?? DEFAULT_ROLE_SESSION_SECONDS;
  if (principal.kind === 'assumed-role' && seconds > CHAINED_SESSION_SECONDS) {
    throw new ValidationError(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (seconds > role.maxSessionDuration) {
    throw new ValidationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  const policy = sessionPolicy(deps, input);
  const tags = sessionTags(input.Tags ?? []);
  const sourceIdentity = input.SourceIdentity ?? principal.session?.sourceIdentity;
  if (input.SourceIdentity?.toLowerCase().startsWith('aws:')) {
    throw new ValidationError("SourceIdentity may not begin with the prefix 'aws:', which AWS reserves.");
  }
  const packed = packedPolicySize(input);
  const expiresAt = new Date(deps.clock.now().getTime() + seconds * 1000);
  const session = assumedRolePrincipal(role, {
    sessionName: input.RoleSessionName,
    expiresAt,
    ...(policy === undefined ? {} : { policy }),
    ...(tags === undefined ? {} : { tags }),
    ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
  });
  const credentials = await deps.sessions.issue({
    principal: session,
    kind: 'assumed-role',
    sourceAccessKeyId: context.accessKeyId,
    expiresAt,
  });
  return {
    Credentials: toCredentials(credentials),
    AssumedRoleUser: { Arn: session.arn, AssumedRoleId: session.userId },
    ...(packed === undefined ? {} : { PackedPolicySize: packed }),
    ...(sourceIdentity === undefined ? {} : { SourceIdentity: sourceIdentity }),
  };
}

async function getSessionToken(
  deps: StsDeps,
  input: GetSessionTokenRequest,
  context: RequestContext,
): Promise<GetSessionTokenResponse> {
  if (deps.sessions.kindOf(context.accessKeyId) !== undefined) {
    throw new AccessDeniedException('Cannot call GetSessionToken with session credentials');
  }
  const { principal } = context;
  const requested = input.DurationSeconds ?? DEFAULT_SESSION_TOKEN_SECONDS;
  // AWS: "If the duration is longer than one hour, the session for account owners defaults to one hour."
  const seconds = principal.root ? Math.min(requested, ROOT_SESSION_TOKEN_SECONDS) : requested;
  const expiresAt = new Date(deps.clock.now().getTime() + seconds * 1000);
  const credentials = await deps.sessions.issue({
    // The credentials act as the user (or root) that asked: the same principal.
    principal,
    kind: 'session-token',
    sourceAccessKeyId: context.accessKeyId,
    expiresAt,
  });
  return { Credentials: toCredentials(credentials) };
}

function toCredentials(credentials: TemporaryCredentials): Credentials {
  return {
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: credentials.expiration,
  };
}

/**
 * The session policies, inline and managed, as one document: within one kind of policy, AWS
 * combines statements by union, so their statements together say exactly what the set says.
 */
function sessionPolicy(deps: StsDeps, input: AssumeRoleRequest): string | undefined {
  const texts: string[] = [];
  if (input.Policy !== undefined) texts.push(input.Policy);
  for (const descriptor of input.PolicyArns ?? []) {
    const arn = descriptor.arn ?? '';
    const document = deps.managedPolicyDocument(arn);
    if (document === undefined) throw new ValidationError(`The policy ${arn} does not exist or is not attachable.`);
    texts.push(document);
  }
  if (texts.length === 0) return undefined;
  if (texts.reduce((sum, text) => sum + text.length, 0) > SESSION_POLICY_CHARACTERS) {
    throw new ValidationError(
      `The plaintext of the inline and managed session policies may not exceed ${SESSION_POLICY_CHARACTERS} characters.`,
    );
  }
  const statements: unknown[] = [];
  for (const text of texts) {
    try {
      deps.checkPolicy(text);
    } catch (error) {
      throw new MalformedPolicyDocumentException((error as Error).message);
    }
    const parsed = JSON.parse(text) as { Statement?: unknown };
    statements.push(...(Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement]));
  }
  return texts.length === 1 ? texts[0] : JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** Session tags: keys are case-insensitive, so two that differ only in case are one key twice. */
function sessionTags(tags: readonly { Key: string; Value: string }[]): Record<string, string> | undefined {
  if (tags.length === 0) return undefined;
  const seen = new Set<string>();
  const out: Record<string, string> = {};
  for (const tag of tags) {
    if (seen.has(tag.Key.toLowerCase())) {
      throw new ValidationError('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    }
    seen.add(tag.Key.toLowerCase());
    out[tag.Key] = tag.Value;
  }
  return out;
}

/**
 * PackedPolicySize: how much of the space in the token the session policies and tags take, in
 * percent. AWS's packed format is its own; Berth packs the same inputs with DEFLATE.
 */
function packedPolicySize(input: AssumeRoleRequest): number | undefined {
  if (input.Policy === undefined && (input.PolicyArns ?? []).length === 0 && (input.Tags ?? []).length === 0)
    return undefined;
  const packed = deflateRawSync(
    JSON.stringify([input.Policy ?? '', (input.PolicyArns ?? []).map((p) => p.arn), input.Tags ?? []]),
  ).length;
  const percent = Math.ceil((packed * 100) / PACKED_LIMIT_BYTES);
  if (percent > 100) {
    throw new PackedPolicyTooLargeException(
      `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`,
    );
  }
  return percent;
}
