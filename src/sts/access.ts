import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';
import type { AssumeRoleRequest } from './shapes.generated.ts';

/**
 * What each STS operation asks the access control for (AWS's Service Authorization Reference for
 * STS). GetCallerIdentity and GetSessionToken need no permission: every authenticated caller may.
 * AssumeRole asks for sts:AssumeRole on the role, with STS's condition keys and the request's tags,
 * and for sts:TagSession when it passes session tags and sts:SetSourceIdentity when it sets a
 * source identity; the role's trust policy is the resource policy of all three (roles.ts).
 */

function assumeRole(input: AssumeRoleRequest): AccessRequest[] {
  const resource = input.RoleArn;
  const tags = input.Tags ?? [];
  const tagConditions: Record<string, string | readonly string[]> = {};
  for (const tag of tags) tagConditions[`aws:RequestTag/${tag.Key}`] = tag.Value;
  if (tags.length > 0) tagConditions['aws:TagKeys'] = tags.map((tag) => tag.Key);
  const conditions: Record<string, string | readonly string[]> = {
    'sts:RoleSessionName': input.RoleSessionName,
    ...(input.ExternalId === undefined ? {} : { 'sts:ExternalId': input.ExternalId }),
    ...(input.SourceIdentity === undefined ? {} : { 'sts:SourceIdentity': input.SourceIdentity }),
    ...tagConditions,
  };
  const requests: AccessRequest[] = [{ action: 'sts:AssumeRole', resource, conditions }];
  if (tags.length > 0) requests.push({ action: 'sts:TagSession', resource, conditions });
  if (input.SourceIdentity !== undefined) requests.push({ action: 'sts:SetSourceIdentity', resource, conditions });
  return requests;
}

const DECLARATIONS = {
  GetCallerIdentity: () => [{ action: 'sts:GetCallerIdentity', resource: '*', everyCaller: true }],
  GetSessionToken: () => [{ action: 'sts:GetSessionToken', resource: '*', everyCaller: true }],
  AssumeRole: assumeRole,
} satisfies Record<string, (input: never) => AccessRequest[]>;

/** The access declarations of the STS operations Berth implements, by operation name. */
export const stsAccess: Readonly<Record<string, DeclareAccess>> = DECLARATIONS;
