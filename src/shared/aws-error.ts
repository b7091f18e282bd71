/**
 * What every AWS API error carries. Services throw subclasses from their own catalog
 * (ecs/errors.ts, ecr/errors.ts); only the protocol layer turns them into HTTP.
 */
export abstract class AwsError extends Error {
  /** Exactly AWS's error name, e.g. `ClusterNotFoundException`. */
  abstract readonly code: string;
  /** false: the fault is ours, and the protocol layer answers 500. */
  readonly senderFault: boolean = true;
  /** The HTTP status, when AWS documents one other than 400 (client) or 500 (server). */
  readonly httpStatus: number | undefined = undefined;
}
