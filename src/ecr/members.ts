import { oneOf, type MemberRule, type MemberTable, type OperationMembers } from '../shared/member-classification.ts';

/*
 * What each ECR operation does with each input member (shared/member-classification.ts): the paths
 * its code acts on, the members it refuses, and the members accepted with no effect by design.
 * src/aws-protocol/ refuses; a test checks that every input member is classified here.
 */

/** Every operation that takes a registryId: a Berth server is its own account's registry only. */
const REGISTRY_ID: MemberRule = {
  refused: "a Berth server is its own account's registry only, and would answer for that one instead",
  byDesign: true,
  when: (value, scope) => value !== scope.accountId,
};

/** An operation on one repository. */
function inRepository(...acted: string[]): OperationMembers {
  return { acted: ['repositoryName', ...acted], rules: { registryId: REGISTRY_ID } };
}

/** ARCHIVED and ACTIVATING images do not exist: Berth does not archive. */
const IMAGE_STATUS: MemberRule = {
  refused: 'Berth does not archive images: the answer would hold the active ones',
  when: oneOf('ARCHIVED', 'ACTIVATING'),
};

const IMAGE_IDS = ['imageIds[].imageDigest', 'imageIds[].imageTag'];

export const ecrMembers: MemberTable = {
  SetRepositoryPolicy: {
    ...inRepository('policyText'),
    rules: {
      registryId: REGISTRY_ID,
      force: { inert: 'Berth does not check whether a policy would lock its caller out, so nothing needs forcing' },
    },
  },
  GetRepositoryPolicy: inRepository(),
  DeleteRepositoryPolicy: inRepository(),
  CreateRepository: {
    ...inRepository(
      'tags[].Key',
      'tags[].Value',
      'imageTagMutability',
      'imageTagMutabilityExclusionFilters[].filterType',
      'imageTagMutabilityExclusionFilters[].filter',
      'imageScanningConfiguration.scanOnPush',
    ),
    rules: {
      registryId: REGISTRY_ID,
      encryptionConfiguration: {
        inert: 'no KMS: blobs are kept in the blob store, which Berth does not encrypt (the setting is described)',
      },
    },
  },
  DescribeRepositories: {
    acted: ['repositoryNames', 'nextToken', 'maxResults'],
    rules: { registryId: REGISTRY_ID },
  },
  DeleteRepository: inRepository('force'),
  PutImageTagMutability: inRepository(
    'imageTagMutability',
    'imageTagMutabilityExclusionFilters[].filterType',
    'imageTagMutabilityExclusionFilters[].filter',
  ),
  PutImageScanningConfiguration: inRepository('imageScanningConfiguration.scanOnPush'),
  TagResource: { acted: ['resourceArn', 'tags[].Key', 'tags[].Value'] },
  UntagResource: { acted: ['resourceArn', 'tagKeys'] },
  ListTagsForResource: { acted: ['resourceArn'] },
  ListImages: {
    acted: ['repositoryName', 'nextToken', 'maxResults', 'filter.tagStatus', 'filter.imageStatus'],
    rules: { registryId: REGISTRY_ID, 'filter.imageStatus': IMAGE_STATUS },
  },
  DescribeImages: {
    acted: ['repositoryName', ...IMAGE_IDS, 'nextToken', 'maxResults', 'filter.tagStatus', 'filter.imageStatus'],
    rules: { registryId: REGISTRY_ID, 'filter.imageStatus': IMAGE_STATUS },
  },
  BatchGetImage: inRepository(...IMAGE_IDS, 'acceptedMediaTypes'),
  BatchDeleteImage: inRepository(...IMAGE_IDS),
  PutImage: inRepository('imageManifest', 'imageManifestMediaType', 'imageTag', 'imageDigest'),
  BatchCheckLayerAvailability: inRepository('layerDigests'),
  GetDownloadUrlForLayer: inRepository('layerDigest'),
  InitiateLayerUpload: inRepository(),
  UploadLayerPart: inRepository('uploadId', 'partFirstByte', 'partLastByte', 'layerPartBlob'),
  CompleteLayerUpload: inRepository('uploadId', 'layerDigests'),
  StartImageScan: inRepository('imageId.imageDigest', 'imageId.imageTag'),
  PutLifecyclePolicy: inRepository('lifecyclePolicyText'),
  GetLifecyclePolicy: inRepository(),
  DeleteLifecyclePolicy: inRepository(),
  StartLifecyclePolicyPreview: inRepository('lifecyclePolicyText'),
  GetLifecyclePolicyPreview: inRepository(...IMAGE_IDS, 'nextToken', 'maxResults', 'filter.tagStatus'),
  // A placeholder scan has no findings to page through.
  DescribeImageScanFindings: inRepository('imageId.imageDigest', 'imageId.imageTag', 'nextToken', 'maxResults'),
  ListImageReferrers: inRepository(
    'subjectId.imageDigest',
    'filter.artifactTypes',
    'filter.artifactStatus',
    'nextToken',
    'maxResults',
  ),
  PutRegistryPolicy: { acted: ['policyText'] },
  GetRegistryPolicy: { acted: [] },
  DeleteRegistryPolicy: { acted: [] },
  // ENHANCED scanning and CONTINUOUS_SCAN are refused by the operation, with ECR's wording.
  PutRegistryScanningConfiguration: {
    acted: [
      'scanType',
      'rules[].scanFrequency',
      'rules[].repositoryFilters[].filter',
      'rules[].repositoryFilters[].filterType',
    ],
  },
  GetRegistryScanningConfiguration: { acted: [] },
  BatchGetRepositoryScanningConfiguration: { acted: ['repositoryNames'] },
  // Every destination is refused by the operation: Berth does not replicate yet.
  PutReplicationConfiguration: {
    acted: [
      'replicationConfiguration.rules[].destinations[].region',
      'replicationConfiguration.rules[].destinations[].registryId',
      'replicationConfiguration.rules[].repositoryFilters[].filter',
      'replicationConfiguration.rules[].repositoryFilters[].filterType',
    ],
  },
  DescribeRegistry: { acted: [] },
  GetAccountSetting: { acted: ['name'] },
  PutAccountSetting: { acted: ['name', 'value'] },
  GetAuthorizationToken: {
    acted: [],
    rules: {
      registryIds: {
        inert: 'deprecated in ECR as well: the password is for this registry, whichever ids are named',
      },
    },
  },
} satisfies Record<string, OperationMembers>;
