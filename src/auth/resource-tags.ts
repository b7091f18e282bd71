import { parseArn } from '../shared/arn.ts';

/** A resource's current tags by its ARN; undefined when the lookup does not know the resource. */
export type ResourceTagLookup = (resourceArn: string) => Promise<Readonly<Record<string, string>> | undefined>;

/**
 * One lookup over every service's (ecsResourceTags, ecrResourceTags, ...): each answers only the
 * ARNs of its own service, so the first that knows the resource answers. The access control calls
 * it only when a policy it evaluates tests a ResourceTag key: it reads the store.
 */
export function resourceTagLookup(lookups: readonly ResourceTagLookup[]): ResourceTagLookup {
  return async (resourceArn) => {
    if (resourceArn === '*' || resourceArn.includes('*')) return undefined;
    for (const lookup of lookups) {
      const tags = await lookup(resourceArn);
      if (tags !== undefined) return tags;
    }
    return undefined;
  };
}

/** The services whose references list a <service>:ResourceTag/${TagKey} key besides aws:ResourceTag. */
const PREFIXED = new Set(['ecs', 'ecr', 'elasticloadbalancing']);

/**
 * The condition keys of a resource's tags: aws:ResourceTag/KEY, and <service>:ResourceTag/KEY for
 * the services that define it (ECS, ECR, ELBv2; CloudWatch Logs and S3 do not). `service` is the
 * ARN's service or the ARN itself.
 */
export function resourceTagKeys(
  tags: Readonly<Record<string, string>>,
  service: string,
): Readonly<Record<string, string>> {
  const prefix = service.startsWith('arn:') ? parseArn(service)?.service : service;
  const keys: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    keys[`aws:ResourceTag/${key}`] = value;
    if (prefix !== undefined && PREFIXED.has(prefix)) keys[`${prefix}:ResourceTag/${key}`] = value;
  }
  return keys;
}
