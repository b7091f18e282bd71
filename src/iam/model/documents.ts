import { MalformedPolicyDocumentError, parsePolicy, type Policy, type PolicyKind } from '../policy/index.ts';
import { MalformedPolicyDocumentException } from '../errors.ts';

/**
 * Parses a policy document the API was given, with the evaluator's own parser, so that what IAM
 * accepts is exactly what the evaluator can run: a malformed one is MalformedPolicyDocument with
 * the parser's message.
 */
export function parseDocument(text: string, kind: PolicyKind): Policy {
  try {
    return parsePolicy(text, kind);
  } catch (error) {
    if (error instanceof MalformedPolicyDocumentError) throw new MalformedPolicyDocumentException(error.message);
    throw error;
  }
}

/** IAM answers documents URL-encoded (the AWS CLI decodes them; the SDKs hand them over as sent). */
export function encodeDocument(text: string): string {
  return encodeURIComponent(text);
}

/** IAM counts a managed policy's size without its whitespace. */
export function sizeWithoutWhitespace(text: string): number {
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) size++;
  }
  return size;
}
