import { AwsError } from './aws-error.ts';

/** AWS's authorization failure, common to every service (HTTP 400 for JSON services). */
export class AccessDeniedException extends AwsError {
  readonly code = 'AccessDeniedException';
  static because(principalArn: string, action: string, resource: string, why: string): AccessDeniedException {
    return new AccessDeniedException(
      `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} because ${why}`,
    );
  }
}
