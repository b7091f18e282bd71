import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a botocore service model (service-2.json) that Berth reads. */
export interface ServiceModel {
  readonly metadata: {
    readonly apiVersion: string;
    readonly protocol: string;
    readonly targetPrefix?: string;
    readonly signingName?: string;
    readonly endpointPrefix: string;
    readonly serviceId: string;
    readonly jsonVersion?: string;
    /** The query protocol's response namespace. */
    readonly xmlNamespace?: string;
    /** Present when the JSON and CBOR protocols answer the query protocol's error codes too (CloudWatch). */
    readonly awsQueryCompatible?: Readonly<Record<string, unknown>>;
  };
  readonly operations: Readonly<Record<string, OperationModel>>;
  readonly shapes: Readonly<Record<string, ShapeModel>>;
}

export interface OperationModel {
  readonly name: string;
  readonly input?: { readonly shape: string };
  /** resultWrapper: the query protocol's <XResult> element. */
  readonly output?: { readonly shape: string; readonly resultWrapper?: string };
  readonly errors?: readonly { readonly shape: string }[];
}

export interface MemberRef {
  readonly shape: string;
}

export interface ShapeModel {
  readonly type:
    | 'structure'
    | 'list'
    | 'map'
    | 'string'
    | 'integer'
    | 'long'
    | 'float'
    | 'double'
    | 'boolean'
    | 'timestamp'
    | 'blob';
  readonly members?: Readonly<Record<string, MemberRef>>;
  readonly required?: readonly string[];
  readonly member?: MemberRef;
  readonly key?: MemberRef;
  readonly value?: MemberRef;
  readonly enum?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly document?: boolean;
  readonly exception?: boolean;
  /** code: the wire error code when it differs from the shape name (query protocol). */
  readonly error?: { readonly code?: string; readonly httpStatusCode?: number; readonly senderFault?: boolean };
}

/** The service models Berth ships (copied, without documentation, by scripts/generate-aws-models.ts). */
export type ShippedModel =
  | 'ecs-2014-11-13'
  | 'ecr-2015-09-21'
  | 'logs-2014-03-28'
  | 'elbv2-2015-12-01'
  | 'iam-2010-05-08'
  | 'sts-2011-06-15'
  | 'ssm-2014-11-06'
  | 'kms-2014-11-01'
  | 'secretsmanager-2017-10-17'
  | 'servicediscovery-2017-03-14'
  | 'acm-2015-12-08'
  | 'application-autoscaling-2016-02-06'
  | 'cloudwatch-2010-08-01';

export function loadServiceModel(name: ShippedModel): ServiceModel {
  return JSON.parse(readFileSync(join(import.meta.dirname, 'models', `${name}.json`), 'utf8')) as ServiceModel;
}
