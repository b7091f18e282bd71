import type { AccessControl } from '../shared/authorization.ts';
import type { Clock } from '../shared/clock.ts';
import type { IamDirectory } from './directory.ts';

/**
 * The access control, noting which key signed each authorized call and for which service (the
 * action's prefix): what GetAccessKeyLastUsed answers. The directory keeps the uses in memory and
 * writes them to the store at most once a minute.
 */
export function recordingKeyUse(accessControl: AccessControl, directory: IamDirectory, clock: Clock): AccessControl {
  return {
    authorize(context, requests) {
      const call = context as { accessKeyId?: unknown; region?: unknown };
      const action = requests[0]?.action;
      if (typeof call.accessKeyId === 'string' && action !== undefined)
        directory.recordKeyUse(
          call.accessKeyId,
          action.slice(0, action.indexOf(':')),
          typeof call.region === 'string' ? call.region : '',
          clock.now(),
        );
      return accessControl.authorize(context, requests);
    },
  };
}
