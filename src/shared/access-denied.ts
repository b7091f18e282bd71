import { AwsError } from './aws-error.ts';

/** AWS's authorization failure, common to every service (HTTP 400 for JSON services). */
/** What a policy decision denied, and why: what each service words its denial from. */
export interface Denial {
  readonly principalArn: string;
  readonly action: string;
  readonly resource: string;
  /** "because no identity-based policy allows the ACTION action", "with an explicit deny in ...". */
  readonly reason: string;
}

/** AWS's authorization failure, common to every service (HTTP 400 for JSON services). */
export class AccessDeniedException extends AwsError {
  readonly code = 'AccessDeniedException';
  /** The decision's parts, when the access control made it (S3 words them its own way). */
  readonly denial: Denial | undefined;

  constructor(message: string, denial?: Denial) {
    super(message);
    this.denial = denial;
  }

  /** "User: ARN is not authorized to perform: ACTION on resource: RESOURCE REASON". */
  static denied(denial: Denial): AccessDeniedException {
    const { principalArn, action, resource, reason } = denial;
    return new AccessDeniedException(
      `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${reason}`,
      denial,
    );
  }

  /** "User: ARN is not authorized to perform: ACTION on resource: RESOURCE because WHY". */
  static because(principalArn: string, action: string, resource: string, why: string): AccessDeniedException {
    return AccessDeniedException.denied({ principalArn, action, resource, reason: `because ${why}` });
  }
}
