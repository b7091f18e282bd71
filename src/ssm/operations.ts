import type { SsmDeps } from './deps.ts';
import { describeParameters, getParametersByPath } from './list-parameters.ts';
import { putParameter } from './put-parameter.ts';
import { describeSessions, terminateSession } from './sessions.ts';
import { getParameter, getParameters } from './read-parameters.ts';
import type { SsmApi } from './shapes.generated.ts';
import { addTagsToResource, listTagsForResource, removeTagsFromResource } from './tags.ts';
import {
  deleteParameter,
  deleteParameters,
  getParameterHistory,
  labelParameterVersion,
  unlabelParameterVersion,
} from './versions.ts';

/** Parameter Store's and Session Manager's sessions' operations, by their AWS names (the shipped SSM model has only these). */
export function ssmOperations(deps: SsmDeps): Partial<SsmApi> {
  return {
    PutParameter: (input, context) => putParameter(deps, input, context),
    GetParameter: (input, context) => getParameter(deps, input, context),
    GetParameters: (input, context) => getParameters(deps, input, context),
    GetParametersByPath: (input, context) => getParametersByPath(deps, input, context),
    GetParameterHistory: (input, context) => getParameterHistory(deps, input, context),
    DeleteParameter: (input, context) => deleteParameter(deps, input, context),
    DeleteParameters: (input, context) => deleteParameters(deps, input, context),
    DescribeParameters: (input, context) => describeParameters(deps, input, context),
    LabelParameterVersion: (input, context) => labelParameterVersion(deps, input, context),
    UnlabelParameterVersion: (input, context) => unlabelParameterVersion(deps, input, context),
    AddTagsToResource: (input, context) => addTagsToResource(deps, input, context),
    RemoveTagsFromResource: (input, context) => removeTagsFromResource(deps, input, context),
    ListTagsForResource: (input, context) => listTagsForResource(deps, input, context),
    DescribeSessions: (input) => describeSessions(deps, input),
    TerminateSession: (input) => terminateSession(deps, input),
  };
}
