import type { Clock } from '../shared/clock.ts';
import type { MetadataStore } from '../store/index.ts';
import { issuePassword, TOKEN_LIFETIME_MS, type TokenKey } from './authorization-tokens.ts';
import type { Registry } from './registry.ts';
import { getAccountSetting, putAccountSetting } from './account-settings.ts';
import { listImageReferrers } from './referrers.ts';
import { deleteRegistryPolicy, getRegistryPolicy, putRegistryPolicy } from './registry-policies.ts';
import {
  batchGetRepositoryScanningConfiguration,
  getRegistryScanningConfiguration,
  putRegistryScanningConfiguration,
} from './registry-scanning.ts';
import { describeRegistry, putReplicationConfiguration } from './replication.ts';
import { deleteRepositoryPolicy, getRepositoryPolicy, setRepositoryPolicy } from './repository-policies.ts';
import { batchDeleteImage, batchGetImage, describeImages, listImages, putImage } from './images.ts';
import {
  batchCheckLayerAvailability,
  completeLayerUpload,
  getDownloadUrlForLayer,
  initiateLayerUpload,
  uploadLayerPart,
} from './layers.ts';
import {
  createRepository,
  deleteRepository,
  describeRepositories,
  listTagsForResource,
  putImageScanningConfiguration,
  putImageTagMutability,
  tagResource,
  untagResource,
} from './repositories.ts';
import { describeImageScanFindings, startImageScan } from './scans.ts';
import {
  deleteLifecyclePolicy,
  getLifecyclePolicy,
  getLifecyclePolicyPreview,
  putLifecyclePolicy,
  startLifecyclePolicyPreview,
} from './lifecycle.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { EcrApi } from './shapes.generated.ts';

export interface EcrDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  readonly registry: Registry;
  /** host[:port] of the registry (repository URIs, proxyEndpoint). */
  readonly registryHost: () => string;
  /** https when the registry host is the TLS front door (the token's proxyEndpoint, layer URLs). */
  readonly registryScheme?: () => 'http' | 'https';
  /** The key registry passwords are signed with. */
  readonly tokenKey: TokenKey;
  /** A URL that lets its holder GET one blob for a while (GetDownloadUrlForLayer). */
  readonly presignBlobUrl: (repository: string, digest: string, context: RequestContext) => Promise<string>;
}

/** The ECR operations Berth implements, by their AWS names. The protocol layer answers the rest. */
export function ecrOperations(deps: EcrDeps): Partial<EcrApi> {
  return operationTable(deps);
}

function operationTable(deps: EcrDeps): Partial<EcrApi> {
  const repositoryDeps = { ...deps, uploads: deps.registry.uploads };
  return {
    SetRepositoryPolicy: (input, context) => setRepositoryPolicy(deps, input, context),
    GetRepositoryPolicy: (input, context) => getRepositoryPolicy(deps, input, context),
    DeleteRepositoryPolicy: (input, context) => deleteRepositoryPolicy(deps, input, context),
    CreateRepository: (input, context) => createRepository(repositoryDeps, input, context),
    DescribeRepositories: (input, context) => describeRepositories(repositoryDeps, input, context),
    DeleteRepository: (input, context) => deleteRepository(repositoryDeps, input, context),
    PutImageTagMutability: (input, context) => putImageTagMutability(repositoryDeps, input, context),
    PutImageScanningConfiguration: (input, context) => putImageScanningConfiguration(repositoryDeps, input, context),
    TagResource: (input, context) => tagResource(repositoryDeps, input, context),
    UntagResource: (input, context) => untagResource(repositoryDeps, input, context),
    ListTagsForResource: (input, context) => listTagsForResource(repositoryDeps, input, context),
    ListImages: (input, context) => listImages(deps, input, context),
    DescribeImages: (input, context) => describeImages(deps, input, context),
    BatchGetImage: (input, context) => batchGetImage(deps, input, context),
    BatchDeleteImage: (input, context) => batchDeleteImage(deps, input, context),
    PutImage: (input, context) => putImage(deps, input, context),
    BatchCheckLayerAvailability: (input, context) => batchCheckLayerAvailability(deps, input, context),
    GetDownloadUrlForLayer: (input, context) => getDownloadUrlForLayer(deps, input, context),
    InitiateLayerUpload: (input, context) => initiateLayerUpload(deps, input, context),
    UploadLayerPart: (input, context) => uploadLayerPart(deps, input, context),
    CompleteLayerUpload: (input, context) => completeLayerUpload(deps, input, context),
    StartImageScan: (input, context) => startImageScan(deps, input, context),
    PutLifecyclePolicy: (input, context) => putLifecyclePolicy(deps, input, context),
    GetLifecyclePolicy: (input, context) => getLifecyclePolicy(deps, input, context),
    DeleteLifecyclePolicy: (input, context) => deleteLifecyclePolicy(deps, input, context),
    StartLifecyclePolicyPreview: (input, context) => startLifecyclePolicyPreview(deps, input, context),
    GetLifecyclePolicyPreview: (input, context) => getLifecyclePolicyPreview(deps, input, context),
    DescribeImageScanFindings: (input, context) => describeImageScanFindings(deps, input, context),
    ListImageReferrers: (input, context) => listImageReferrers(deps, input, context),
    PutRegistryPolicy: (input, context) => putRegistryPolicy(deps, input, context),
    GetRegistryPolicy: (_input, context) => getRegistryPolicy(deps, context),
    DeleteRegistryPolicy: (_input, context) => deleteRegistryPolicy(deps, context),
    PutRegistryScanningConfiguration: (input) => putRegistryScanningConfiguration(deps, input),
    GetRegistryScanningConfiguration: (_input, context) => getRegistryScanningConfiguration(deps, context),
    BatchGetRepositoryScanningConfiguration: (input, context) =>
      batchGetRepositoryScanningConfiguration(deps, input, context),
    PutReplicationConfiguration: (input, context) => putReplicationConfiguration(deps, input, context),
    DescribeRegistry: (_input, context) => describeRegistry(deps, context),
    GetAccountSetting: (input) => getAccountSetting(deps, input),
    PutAccountSetting: (input) => putAccountSetting(deps, input),
    GetAuthorizationToken: async (_input, context) => {
      // 12 hours, or less when the caller is a role session that ends sooner (ECR's token never
      // outlives the credentials that got it; the registry also checks the session on each use).
      const sessionEnd = context.principal.session?.expiresAt.getTime() ?? Infinity;
      const expiresAt = new Date(Math.min(deps.clock.now().getTime() + TOKEN_LIFETIME_MS, sessionEnd));
      const password = issuePassword(deps.tokenKey, { accessKeyId: context.accessKeyId, expiresAt });
      return {
        authorizationData: [
          {
            authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
            expiresAt,
            proxyEndpoint: `${deps.registryScheme?.() ?? 'http'}://${deps.registryHost()}`,
          },
        ],
      };
    },
  };
}
