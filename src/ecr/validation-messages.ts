import { InvalidParameterException } from './errors.ts';

/**
 * ECR words a request the model rejects its own way, naming one parameter and quoting the
 * constraint, where the protocol layer's validator words it like most AWS services:
 *   validator: 1 validation error detected: Value 'x' at 'imageTagMutability' failed to satisfy
 *              constraint: Member must satisfy enum value set: [MUTABLE, IMMUTABLE, ...]
 *   ECR:       Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must
 *              satisfy enum value set: [MUTABLE, IMMUTABLE, ...]'
 * A list of simple values is named as a whole, the member's constraint nested ("Invalid parameter
 * at 'registryIds' failed to satisfy constraint: 'Member must satisfy constraint: [Member must
 * satisfy regular expression pattern: [0-9]{12}]'"); a member of a structure in a list keeps its
 * path ('tags.2.member.key'). ECR reports the first violation only.
 */

/** One validator message: "Value <shown> at '<path>' failed to satisfy constraint: Member must ...". */
const VALIDATOR_ERROR =
  /^Value (?:null|'[\s\S]*?') at '([\w.]*)' failed to satisfy constraint: (Member must [\s\S]*?)(?=; Value |$)/;

/** The validator's summary line: "2 validation errors detected: <error>; <error>". */
const SUMMARY = /^\d+ validation errors? detected: /;

/** ECR's message for the validator's errors (in the validator's order). */
export function ecrValidationMessage(errors: readonly string[]): string {
  const first = errors[0] ?? '';
  const match = VALIDATOR_ERROR.exec(first);
  if (!match) return `Invalid parameter: ${first}`;
  let path = match[1]!;
  let constraint = match[2]!;
  const listMember = /^(.+)\.\d+\.member$/.exec(path);
  if (listMember) {
    path = listMember[1]!;
    constraint = `Member must satisfy constraint: [${constraint}]`;
  }
  return `Invalid parameter at '${path === '' ? 'input' : path}' failed to satisfy constraint: '${constraint}'`;
}

/**
 * The ECR service's invalidParameter for the protocol layer. For the validator it gets the summary
 * line, and the first error is read back from it; any other message (the protocol layer's own
 * refusals) is kept as it is. The value a summary shows is the caller's, so a value made to read
 * like the validator's own words ("' at 'x' failed to satisfy constraint: Member must") can garble
 * the message, but only the one its sender gets back; the protocol layer handing over the list of
 * errors (ecrValidationMessage's input) would leave nothing to read back.
 */
export function ecrInvalidParameter(message: string): InvalidParameterException {
  if (!SUMMARY.test(message)) return new InvalidParameterException(message);
  return new InvalidParameterException(ecrValidationMessage([message.replace(SUMMARY, '')]));
}
