import { registrySchemeOf } from './front-door-tls.ts';
import type { SecretLookup } from '../aws-protocol/index.ts';
import {
  JsonProtocol,
  loadServiceModel,
  presignGetUrl,
  QueryProtocol,
  RpcV2CborProtocol,
} from '../aws-protocol/index.ts';
import { PolicyAccessControl, resourceTagLookup } from '../auth/index.ts';
import {
  ecrAccess,
  ecrInvalidParameter,
  ecrMembers,
  ecrOperations,
  ecrResourceTags,
  registryPolicies,
  repositoryPolicies,
  type EcrDeps,
} from '../ecr/index.ts';
import {
  ecsAccess,
  ecsMembers,
  ecsOperations,
  ecsResourceTags,
  InvalidParameterException as EcsInvalidParameter,
  type EcsDeps,
} from '../ecs/index.ts';
import {
  elbAccess,
  elbMembers,
  elbOperations,
  elbResourceTags,
  ValidationError as ElbValidationError,
  type ElbDeps,
} from '../elb/index.ts';
import {
  logsAccess,
  logsMembers,
  logsOperations,
  type LogsDeps,
  logsResourceTags,
  InvalidParameterException as LogsInvalidParameter,
} from '../logs/index.ts';
import {
  stsAccess,
  stsMembers,
  stsOperations,
  trustPolicies,
  ValidationError as StsValidationError,
  type SessionDirectory,
} from '../sts/index.ts';
import { parsePolicy } from '../iam/policy/index.ts';
import {
  iamMembers,
  iamOperations,
  createIamAccess,
  recordingKeyUse,
  ValidationError as IamValidationError,
  type IamDirectory,
} from '../iam/index.ts';
import { s3ResourceTags } from '../s3/index.ts';
import {
  KeyRing,
  keyPolicies,
  kmsAccess,
  kmsMembers,
  kmsOperations,
  ValidationException as KmsValidation,
} from '../kms/index.ts';
import {
  secretPolicies,
  secretsManagerAccess,
  secretsManagerMembers,
  secretsManagerOperations,
  InvalidParameterException as SecretsInvalidParameter,
} from '../secretsmanager/index.ts';
import {
  keyRingCipher,
  ssmAccess,
  ssmMembers,
  ssmOperations,
  ssmResourceTags,
  ValidationException as SsmValidation,
} from '../ssm/index.ts';
import {
  serviceDiscoveryAccess,
  serviceDiscoveryMembers,
  serviceDiscoveryOperations,
  serviceDiscoveryResourceTags,
  InvalidInput as ServiceDiscoveryInvalidInput,
} from '../servicediscovery/index.ts';
import {
  cloudWatchAccess,
  cloudWatchMembers,
  cloudWatchOperations,
  InvalidParameterValueException as CloudWatchInvalidParameter,
  type CloudWatchDeps,
} from '../cloudwatch/index.ts';
import {
  acmAccess,
  acmMembers,
  acmOperations,
  InvalidParameterException as AcmInvalidParameter,
} from '../acm/index.ts';
import {
  applicationAutoScalingAccess,
  applicationAutoScalingMembers,
  applicationAutoScalingOperations,
  ValidationException as AutoScalingValidation,
  type AutoScalingDeps,
} from '../application-autoscaling/index.ts';
import { acmDependencies } from './acm-setup.ts';
import type { Clock } from '../shared/clock.ts';
import type { ServerConfig } from '../shared/config.ts';
import type { MetadataStore } from '../store/index.ts';

export interface ApiProtocolDeps {
  readonly config: ServerConfig;
  readonly store: MetadataStore;
  readonly clock: Clock;
  readonly secrets: SecretLookup & { secretFor(accessKeyId: string): string | undefined };
  readonly sessions: SessionDirectory;
  /** IAM's users, groups, roles and policies, in memory (the directory the long-term keys come from). */
  readonly iam: IamDirectory;
  readonly elbDeps: ElbDeps;
  readonly ecsDeps: EcsDeps;
  readonly ecrDeps: Omit<EcrDeps, 'presignBlobUrl'>;
  readonly cloudWatchDeps: CloudWatchDeps;
  readonly autoScalingDeps: AutoScalingDeps;
  readonly logsDeps: LogsDeps;
}

/**
 * The AWS APIs as the front door serves them: each service's model, operation table, access
 * declarations and member table, handed to the JSON and query protocols with the one access control.
 */
export function createApiProtocols(deps: ApiProtocolDeps) {
  const { config, store, clock, secrets } = deps;
  // KMS's keys: the KMS API, and in process the services that encrypt under them (Parameter Store).
  const keys = new KeyRing({ store: store.kms, clock, scope: { region: config.region, accountId: config.accountId } });
  // One decision point for every service and the registry: the caller's identity-based policies
  // (IAM), the resource-based ones (ECR repositories and the registry, roles' trust policies) and
  // the resources' tags when a policy reads them.
  const accessControl = new PolicyAccessControl({
    identities: deps.iam,
    resourcePolicies: [
      repositoryPolicies(store, { region: config.region, accountId: config.accountId }),
      registryPolicies(store),
      trustPolicies(deps.iam),
      keyPolicies(keys),
      secretPolicies(store.secrets, { region: config.region, accountId: config.accountId }),
    ],
    resourceTags: resourceTagLookup([
      ecsResourceTags(store),
      ecrResourceTags(store),
      logsResourceTags(store),
      elbResourceTags(store),
      s3ResourceTags(store),
      ssmResourceTags(store),
      serviceDiscoveryResourceTags(store),
    ]),
    clock,
  });
  // Calls through the protocols also note which key signed them (IAM's GetAccessKeyLastUsed).
  const protocolAccess = recordingKeyUse(accessControl, deps.iam, clock);
  // CloudWatch speaks three protocols (query for the AWS CLI, JSON 1.0 and RPC v2 CBOR for the SDKs): one table.
  const cloudWatch = {
    model: loadServiceModel('cloudwatch-2010-08-01'),
    operations: cloudWatchOperations(deps.cloudWatchDeps),
    access: cloudWatchAccess,
    members: cloudWatchMembers,
    invalidParameter: (message: string) => new CloudWatchInvalidParameter(message),
  };
  const query = new QueryProtocol({
    services: [
      cloudWatch,
      {
        model: loadServiceModel('iam-2010-05-08'),
        operations: iamOperations({ directory: deps.iam }),
        access: createIamAccess(deps.iam),
        members: iamMembers,
        invalidParameter: (message) => new IamValidationError(message),
      },
      {
        model: loadServiceModel('elbv2-2015-12-01'),
        operations: elbOperations(deps.elbDeps),
        access: elbAccess,
        members: elbMembers,
        invalidParameter: (message) => new ElbValidationError(message),
      },
      {
        model: loadServiceModel('sts-2011-06-15'),
        operations: stsOperations({
          sessions: deps.sessions,
          roles: deps.iam,
          clock,
          // Session policies are identity policies in form (IAM's MalformedPolicyDocument messages).
          checkPolicy: (text) => void parsePolicy(text, 'identity'),
          managedPolicyDocument: (arn) => deps.iam.defaultDocumentOf(arn),
        }),
        access: stsAccess,
        members: stsMembers,
        invalidParameter: (message) => new StsValidationError(message),
      },
    ],
    secrets,
    accessControl: protocolAccess,
    clock,
    accountId: config.accountId,
    region: config.region,
  });

  const json = new JsonProtocol({
    services: [
      cloudWatch,
      {
        model: loadServiceModel('ecs-2014-11-13'),
        operations: ecsOperations({
          ...deps.ecsDeps,
          authorize: (context, requests) => accessControl.authorize(context, requests),
        }),
        access: ecsAccess,
        members: ecsMembers,
        invalidParameter: (message) => new EcsInvalidParameter(message),
      },
      {
        model: loadServiceModel('ecr-2015-09-21'),
        operations: ecrOperations({
          ...deps.ecrDeps,
          registryScheme: () => registrySchemeOf(config),
          presignBlobUrl: (repository, digest, context) =>
            presignGetUrl(
              new URL(`${registrySchemeOf(config)}://${deps.ecrDeps.registryHost()}/v2/${repository}/blobs/${digest}`),
              {
                accessKeyId: context.accessKeyId,
                secretAccessKey: secrets.secretFor(context.accessKeyId) ?? '',
                sessionToken: secrets.sessionTokenFor?.(context.accessKeyId),
                region: config.region,
                service: 'ecr',
                expiresInSeconds: 3600,
              },
            ),
        }),
        access: ecrAccess,
        members: ecrMembers,
        invalidParameter: ecrInvalidParameter,
      },
      {
        model: loadServiceModel('logs-2014-03-28'),
        operations: logsOperations(deps.logsDeps),
        access: logsAccess,
        members: logsMembers,
        invalidParameter: (message) => new LogsInvalidParameter(message),
      },
      {
        model: loadServiceModel('kms-2014-11-01'),
        operations: kmsOperations({
          keyRing: keys,
          clock,
          checkPolicy: (text) => void parsePolicy(text, 'resource'),
          authorize: (context, requests) => accessControl.authorize(context, requests),
        }),
        access: kmsAccess,
        members: kmsMembers,
        invalidParameter: (message) => new KmsValidation(message),
      },
      {
        model: loadServiceModel('secretsmanager-2017-10-17'),
        operations: secretsManagerOperations({
          secrets: store.secrets,
          keyRing: keys,
          clock,
          authorize: (context, requests) => accessControl.authorize(context, requests),
          checkPolicy: (text) => void parsePolicy(text, 'resource'),
        }),
        access: secretsManagerAccess,
        members: secretsManagerMembers,
        invalidParameter: (message) => new SecretsInvalidParameter(message),
      },
      {
        model: loadServiceModel('ssm-2014-11-06'),
        operations: ssmOperations({
          store,
          clock,
          cipher: keyRingCipher(keys),
          authorize: (context, requests) => accessControl.authorize(context, requests),
          liveSessions: { terminate: (sessionId) => deps.ecsDeps.execute?.terminate?.(sessionId) ?? false },
        }),
        access: ssmAccess,
        members: ssmMembers,
        invalidParameter: (message) => new SsmValidation(message),
      },
      {
        model: loadServiceModel('servicediscovery-2017-03-14'),
        operations: serviceDiscoveryOperations({
          store,
          clock,
          scope: { region: config.region, accountId: config.accountId },
        }),
        access: serviceDiscoveryAccess,
        members: serviceDiscoveryMembers,
        invalidParameter: (message) => new ServiceDiscoveryInvalidInput(message),
      },
      {
        model: loadServiceModel('acm-2015-12-08'),
        operations: acmOperations({
          ...acmDependencies(config.dataDir, clock, store, deps.elbDeps),
          store: store.acm,
          clock,
          scope: { region: config.region, accountId: config.accountId },
        }),
        access: acmAccess,
        members: acmMembers,
        invalidParameter: (message) => new AcmInvalidParameter(message),
      },
      {
        model: loadServiceModel('application-autoscaling-2016-02-06'),
        operations: applicationAutoScalingOperations(deps.autoScalingDeps),
        access: applicationAutoScalingAccess,
        members: applicationAutoScalingMembers,
        invalidParameter: (message) => new AutoScalingValidation(message),
      },
    ],
    secrets,
    accessControl: protocolAccess,
    clock,
    accountId: config.accountId,
    region: config.region,
  });
  return { accessControl, query, json, cbor: new RpcV2CborProtocol(json) };
}
