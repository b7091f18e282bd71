import { newAccessKeyId, newSecretAccessKey } from '../../shared/ids.ts';
import type { RequestContext } from '../../shared/request-context.ts';
import type { IamDirectory } from '../directory.ts';
import { InvalidInputException, LimitExceededException, NoSuchEntityException, ValidationError } from '../errors.ts';
import type { AccessKey } from '../model/entities.ts';
import { nameKey } from '../model/names.ts';
import type * as Api from '../shapes.generated.ts';
import { paginate, requireUser, type IamDeps } from './common.ts';

/*
 * Users' access keys: at most two per user; an Inactive or deleted key stops signing at once
 * (the directory's signing table is rebuilt with the write). The root key pair is Berth's
 * configuration (BERTH_ROOT_*), listed for the root but not changed through IAM.
 */

const MAX_KEYS = 2;

/** The user a key operation is about: the named one, else the calling user. */
function userNameFor(input: { UserName?: string }, context: RequestContext): string {
  const name = input.UserName ?? context.principal.userName;
  if (name === undefined) {
    if (context.principal.root)
      throw new InvalidInputException(
        "The root's access key is Berth's configuration (BERTH_ROOT_ACCESS_KEY_ID): give a UserName.",
      );
    throw new ValidationError('Must specify userName when calling with non-User credentials');
  }
  return name;
}

function requireKey(directory: IamDirectory, accessKeyId: string, userName: string | undefined): AccessKey {
  const key = directory.accessKey(accessKeyId);
  if (!key || (userName !== undefined && nameKey(key.userName) !== nameKey(userName)))
    throw new NoSuchEntityException(`The Access Key with id ${accessKeyId} cannot be found.`);
  return key;
}

export async function createAccessKey(
  { directory }: IamDeps,
  input: Api.CreateAccessKeyRequest,
  context: RequestContext,
): Promise<Api.CreateAccessKeyResponse> {
  const userName = userNameFor(input, context);
  return directory.update(() => {
    const user = requireUser(directory, userName);
    if (directory.accessKeysOf(user.name).length >= MAX_KEYS)
      throw LimitExceededException.quota('AccessKeysPerUser', MAX_KEYS);
    const key: AccessKey = {
      accessKeyId: newAccessKeyId(),
      userName: user.name,
      secretAccessKey: newSecretAccessKey(),
      status: 'Active',
      createdAt: directory.now(),
    };
    return {
      changes: { putKeys: [key] },
      result: {
        AccessKey: {
          UserName: key.userName,
          AccessKeyId: key.accessKeyId,
          Status: key.status,
          SecretAccessKey: key.secretAccessKey,
          CreateDate: key.createdAt,
        },
      },
    };
  });
}

export async function listAccessKeys(
  { directory }: IamDeps,
  input: Api.ListAccessKeysRequest,
  context: RequestContext,
): Promise<Api.ListAccessKeysResponse> {
  if (input.UserName === undefined && context.principal.root) {
    // The root's own key: what signed this call.
    return { AccessKeyMetadata: [{ AccessKeyId: context.accessKeyId, Status: 'Active' }], IsTruncated: false };
  }
  const user = requireUser(directory, userNameFor(input, context));
  const keys = directory.accessKeysOf(user.name).sort((a, b) => (a.accessKeyId < b.accessKeyId ? -1 : 1));
  const { page, ...more } = paginate(keys, (k) => k.accessKeyId, input);
  return {
    AccessKeyMetadata: page.map((k) => ({
      UserName: k.userName,
      AccessKeyId: k.accessKeyId,
      Status: k.status,
      CreateDate: k.createdAt,
    })),
    ...more,
  };
}

export async function updateAccessKey(
  { directory }: IamDeps,
  input: Api.UpdateAccessKeyRequest,
  context: RequestContext,
): Promise<void> {
  const userName = userNameFor(input, context);
  await directory.update(() => {
    const key = requireKey(directory, input.AccessKeyId, userName);
    return {
      changes: { putKeys: [{ ...key, status: input.Status === 'Active' ? 'Active' : 'Inactive' }] },
      result: undefined,
    };
  });
}

export async function deleteAccessKey(
  { directory }: IamDeps,
  input: Api.DeleteAccessKeyRequest,
  context: RequestContext,
): Promise<void> {
  const userName = userNameFor(input, context);
  await directory.update(() => {
    const key = requireKey(directory, input.AccessKeyId, userName);
    return { changes: { removeKeys: [key.accessKeyId] }, result: undefined };
  });
}

/** When and where a key last signed a request; N/A for a key never used. */
export async function getAccessKeyLastUsed(
  { directory }: IamDeps,
  input: Api.GetAccessKeyLastUsedRequest,
): Promise<Api.GetAccessKeyLastUsedResponse> {
  const key = requireKey(directory, input.AccessKeyId, undefined);
  const used = key.lastUsed;
  return {
    UserName: key.userName,
    AccessKeyLastUsed: used
      ? { LastUsedDate: used.at, ServiceName: used.service, Region: used.region }
      : { ServiceName: 'N/A', Region: 'N/A' },
  };
}
