import { AwsError } from './aws-error.ts';

/** AWS's authorization failure, common to every service (HTTP 400 for JSON services). */
export class AccessDeniedException extends AwsError {
  readonly code = 'AccessDeniedException';
  /** "User: ARN is not authorized to perform: ACTION on resource: RESOURCE because WHY". */
  static because(principalArn: string, action: string, resource: string, why: string): AccessDeniedException {
    return new AccessDeniedException(
      `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} because ${why}`,
    );
  }

  /** AWS's wording when a Deny statement matched. */
  static explicitDeny(principalArn: string, action: string, resource: string): AccessDeniedException {
    return new AccessDeniedException(
      `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in a resource-based policy`,
    );
  }
}
