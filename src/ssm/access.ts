import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';
import { formatArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { nameOf, parameterArn, parseSelector } from './names.ts';

/*
 * What each Parameter Store operation asks the access control for (AWS's Service Authorization
 * Reference for Systems Manager and "How Parameter Store authorizes parameter retrieval"):
 * ssm:<Operation> on each parameter's ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME), the path's
 * ARN for GetParametersByPath (not the parameters it returns), `*` for DescribeParameters.
 * PutParameter carries ssm:Overwrite and ssm:Policies; calls that set tags aws:RequestTag/* and
 * aws:TagKeys. Decrypting a SecureString asks kms:Decrypt when the value is read (read-parameters.ts).
 * Session Manager: ssm:DescribeSessions on `*`, ssm:TerminateSession on the session's ARN
 * (arn:aws:ssm:REGION:ACCOUNT:session/ID).
 */

type Input = Record<string, unknown>;
type Declare = (input: Input, context: RequestContext) => AccessRequest[];

function text(value: unknown): string {
  return typeof value === 'string' ? value : '*';
}

function arnOf(reference: string, context: RequestContext): string {
  return parameterArn(context, nameOf(parseSelector(reference).name, context));
}

function onParameter(action: string, member = 'Name'): Declare {
  return (input, context) => [{ action, resource: arnOf(text(input[member]), context) }];
}

function onEach(action: string): Declare {
  return (input, context) => {
    const names = Array.isArray(input.Names) ? input.Names.map(text) : [];
    return [...new Set(names)].map((name) => ({ action, resource: arnOf(name, context) }));
  };
}

function tagConditions(tags: unknown): Record<string, string | string[]> {
  const list = Array.isArray(tags) ? (tags as { Key?: unknown; Value?: unknown }[]) : [];
  if (list.length === 0) return {};
  return {
    ...Object.fromEntries(list.map((tag) => [`aws:RequestTag/${text(tag.Key)}`, text(tag.Value)])),
    'aws:TagKeys': list.map((tag) => text(tag.Key)),
  };
}

const putParameter: Declare = (input, context) => [
  {
    action: 'ssm:PutParameter',
    resource: arnOf(text(input.Name), context),
    conditions: {
      'ssm:Overwrite': String(input.Overwrite === true),
      ...(typeof input.Policies === 'string' ? { 'ssm:Policies': input.Policies } : {}),
      ...tagConditions(input.Tags),
    },
  },
];

const getParametersByPath: Declare = (input, context) => {
  const path = text(input.Path);
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return [{ action: 'ssm:GetParametersByPath', resource: parameterArn(context, trimmed) }];
};

function onTaggedResource(action: string, conditions: (input: Input) => Record<string, string | string[]>): Declare {
  return (input, context) => {
    const resource = input.ResourceType === 'Parameter' ? arnOf(text(input.ResourceId), context) : '*';
    const keys = conditions(input);
    return [{ action, resource, ...(Object.keys(keys).length > 0 ? { conditions: keys } : {}) }];
  };
}

const DECLARATIONS: Record<string, Declare> = {
  PutParameter: putParameter,
  GetParameter: onParameter('ssm:GetParameter'),
  GetParameters: onEach('ssm:GetParameters'),
  GetParametersByPath: getParametersByPath,
  GetParameterHistory: onParameter('ssm:GetParameterHistory'),
  DeleteParameter: onParameter('ssm:DeleteParameter'),
  DeleteParameters: onEach('ssm:DeleteParameters'),
  DescribeParameters: () => [{ action: 'ssm:DescribeParameters', resource: '*' }],
  LabelParameterVersion: onParameter('ssm:LabelParameterVersion'),
  UnlabelParameterVersion: onParameter('ssm:UnlabelParameterVersion'),
  AddTagsToResource: onTaggedResource('ssm:AddTagsToResource', (input) => tagConditions(input.Tags)),
  RemoveTagsFromResource: onTaggedResource('ssm:RemoveTagsFromResource', (input): Record<string, string[]> =>
    Array.isArray(input.TagKeys) && input.TagKeys.length > 0 ? { 'aws:TagKeys': input.TagKeys.map(text) } : {},
  ),
  ListTagsForResource: onTaggedResource('ssm:ListTagsForResource', () => ({})),
  DescribeSessions: () => [{ action: 'ssm:DescribeSessions', resource: '*' }],
  TerminateSession: (input, context) => [
    { action: 'ssm:TerminateSession', resource: formatArn('ssm', context, `session/${text(input.SessionId)}`) },
  ],
};

/** The access declarations of the Parameter Store operations Berth implements, by operation name. */
export const ssmAccess: Readonly<Record<string, DeclareAccess>> = DECLARATIONS as Record<string, DeclareAccess>;
