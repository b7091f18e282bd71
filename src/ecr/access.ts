import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';
import { formatArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';

/**
 * What each ECR operation asks the access control for (AWS's Service Authorization Reference for
 * ECR): `ecr:<Operation>` on the repository ARN the input names, `*` for the registry-wide calls.
 * The access control also consults the repository's own policy for a repository ARN, and the
 * registry policy for every ECR request. Built from the input alone, so a declaration never fails.
 */

type Input = Record<string, unknown>;
type Declare = (input: Input, context: RequestContext) => AccessRequest[];

export function repositoryArn(context: Pick<RequestContext, 'region' | 'accountId'>, name: string): string {
  return formatArn('ecr', context, `repository/${name}`);
}

function onRepository(action: string): Declare {
  return (input, context) => [
    { action, resource: repositoryArn(context, typeof input.repositoryName === 'string' ? input.repositoryName : '*') },
  ];
}

/** One request per repository the input names (`repositoryNames`), `*` when it names none. */
function onRepositories(action: string): Declare {
  return (input, context) => {
    const names = Array.isArray(input.repositoryNames) ? (input.repositoryNames as string[]) : ['*'];
    return names.map((name) => ({ action, resource: repositoryArn(context, name) }));
  };
}

/** aws:RequestTag/KEY and aws:TagKeys of the tags a call sets (ECR's [{Key, Value}]). */
function requestTags(tags: unknown): Record<string, string | string[]> {
  const pairs = Array.isArray(tags) ? (tags as { Key?: unknown; Value?: unknown }[]) : [];
  const conditions: Record<string, string | string[]> = {};
  const keys: string[] = [];
  for (const { Key, Value } of pairs) {
    if (typeof Key !== 'string') continue;
    keys.push(Key);
    conditions[`aws:RequestTag/${Key}`] = typeof Value === 'string' ? Value : '';
  }
  return keys.length === 0 ? {} : { ...conditions, 'aws:TagKeys': keys };
}

/** TagResource: the tags set; UntagResource: the keys removed (aws:TagKeys). */
function onResourceArn(action: string): Declare {
  return (input) => {
    const removed = Array.isArray(input.tagKeys) ? (input.tagKeys as string[]) : [];
    const conditions = removed.length > 0 ? { 'aws:TagKeys': removed } : requestTags(input.tags);
    return [
      {
        action,
        resource: typeof input.resourceArn === 'string' ? input.resourceArn : '*',
        ...(Object.keys(conditions).length > 0 ? { conditions } : {}),
      },
    ];
  };
}

/** CreateRepository with tags is also ecr:TagResource on the new repository (the reference lists both). */
function creatingRepository(): Declare {
  return (input, context) => {
    const resource = repositoryArn(context, typeof input.repositoryName === 'string' ? input.repositoryName : '*');
    const conditions = requestTags(input.tags);
    if (!('aws:TagKeys' in conditions)) return [{ action: 'ecr:CreateRepository', resource }];
    return [
      { action: 'ecr:CreateRepository', resource, conditions },
      { action: 'ecr:TagResource', resource, conditions },
    ];
  };
}

/** Get/PutAccountSetting: the setting's name (ecr:AccountSetting). */
function onAccountSetting(action: string): Declare {
  return (input) => [
    {
      action,
      resource: '*',
      ...(typeof input.name === 'string' ? { conditions: { 'ecr:AccountSetting': input.name } } : {}),
    },
  ];
}

function onRegistry(action: string): Declare {
  return () => [{ action, resource: '*' }];
}

const DECLARATIONS: Record<string, Declare> = {
  SetRepositoryPolicy: onRepository('ecr:SetRepositoryPolicy'),
  GetRepositoryPolicy: onRepository('ecr:GetRepositoryPolicy'),
  DeleteRepositoryPolicy: onRepository('ecr:DeleteRepositoryPolicy'),
  CreateRepository: creatingRepository(),
  DescribeRepositories: onRepositories('ecr:DescribeRepositories'),
  DeleteRepository: onRepository('ecr:DeleteRepository'),
  PutImageTagMutability: onRepository('ecr:PutImageTagMutability'),
  PutImageScanningConfiguration: onRepository('ecr:PutImageScanningConfiguration'),
  TagResource: onResourceArn('ecr:TagResource'),
  UntagResource: onResourceArn('ecr:UntagResource'),
  ListTagsForResource: onResourceArn('ecr:ListTagsForResource'),
  ListImages: onRepository('ecr:ListImages'),
  DescribeImages: onRepository('ecr:DescribeImages'),
  BatchGetImage: onRepository('ecr:BatchGetImage'),
  BatchDeleteImage: onRepository('ecr:BatchDeleteImage'),
  PutImage: onRepository('ecr:PutImage'),
  BatchCheckLayerAvailability: onRepository('ecr:BatchCheckLayerAvailability'),
  GetDownloadUrlForLayer: onRepository('ecr:GetDownloadUrlForLayer'),
  InitiateLayerUpload: onRepository('ecr:InitiateLayerUpload'),
  UploadLayerPart: onRepository('ecr:UploadLayerPart'),
  CompleteLayerUpload: onRepository('ecr:CompleteLayerUpload'),
  StartImageScan: onRepository('ecr:StartImageScan'),
  PutLifecyclePolicy: onRepository('ecr:PutLifecyclePolicy'),
  GetLifecyclePolicy: onRepository('ecr:GetLifecyclePolicy'),
  DeleteLifecyclePolicy: onRepository('ecr:DeleteLifecyclePolicy'),
  StartLifecyclePolicyPreview: onRepository('ecr:StartLifecyclePolicyPreview'),
  GetLifecyclePolicyPreview: onRepository('ecr:GetLifecyclePolicyPreview'),
  DescribeImageScanFindings: onRepository('ecr:DescribeImageScanFindings'),
  // AWS's API reference: "The IAM principal invoking this operation must have the ecr:BatchGetImage permission."
  ListImageReferrers: onRepository('ecr:BatchGetImage'),
  DescribeRegistry: onRegistry('ecr:DescribeRegistry'),
  PutRegistryPolicy: onRegistry('ecr:PutRegistryPolicy'),
  GetRegistryPolicy: onRegistry('ecr:GetRegistryPolicy'),
  DeleteRegistryPolicy: onRegistry('ecr:DeleteRegistryPolicy'),
  PutRegistryScanningConfiguration: onRegistry('ecr:PutRegistryScanningConfiguration'),
  GetRegistryScanningConfiguration: onRegistry('ecr:GetRegistryScanningConfiguration'),
  BatchGetRepositoryScanningConfiguration: onRepositories('ecr:BatchGetRepositoryScanningConfiguration'),
  PutReplicationConfiguration: onRegistry('ecr:PutReplicationConfiguration'),
  GetAccountSetting: onAccountSetting('ecr:GetAccountSetting'),
  PutAccountSetting: onAccountSetting('ecr:PutAccountSetting'),
  // ECR's one action on no resource: a user needs it in an identity policy, as on AWS.
  GetAuthorizationToken: () => [{ action: 'ecr:GetAuthorizationToken', resource: '*' }],
};

/** The access declarations of the ECR operations Berth implements, by operation name. */
export const ecrAccess: Readonly<Record<string, DeclareAccess>> = DECLARATIONS as Record<string, DeclareAccess>;
