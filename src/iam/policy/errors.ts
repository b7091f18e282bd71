/**
 * IAM's MalformedPolicyDocument, with IAM's own messages (the texts moto's policy validator checks
 * against AWS, and those the IAM User Guide quotes). The IAM API turns it into its
 * MalformedPolicyDocumentException; the evaluator never throws anything else.
 */
export class MalformedPolicyDocumentError extends Error {
  override readonly name = 'MalformedPolicyDocumentError';
}

export const SYNTAX_ERRORS = 'Syntax errors in policy.';
export const LEGACY_PARSING = 'The policy failed legacy parsing';

export function malformed(message: string = SYNTAX_ERRORS): MalformedPolicyDocumentError {
  return new MalformedPolicyDocumentError(message);
}
