/**
 * What Berth does with each input member of an operation it implements, so that a parameter is
 * never accepted and silently dropped. Each service keeps one table (src/<service>/members.ts):
 * per operation, the member paths its code reads and acts on (`acted`), and the others as `rules`:
 *
 * - refused: Berth would give a silently wrong result, so a request that sets the member fails,
 *   naming it, until the work that builds it lands (the protocol layer checks, before dispatch);
 * - inert: accepted, stored and echoed, with no effect by design: configuration of AWS
 *   infrastructure that Berth replaces (subnets, security groups, KMS keys, ...).
 *
 * Paths are dotted, with `[]` for a list's elements and `{}` for a map's values:
 * `containerDefinitions[].secrets`, `networkConfiguration.awsvpcConfiguration.subnets`. A rule
 * covers the member's whole subtree. A test checks that every member path of every implemented
 * operation's input (from the service model) is acted on or covered by a rule, so a new operation,
 * or a member a new model adds, cannot go unclassified.
 */

/** What a refusal's condition may look at besides the member's value. */
export interface MemberScope {
  /** The whole (validated) input of the call. */
  readonly input: Readonly<Record<string, unknown>>;
  /** The account this server answers for. */
  readonly accountId: string;
}

export interface RefusedMember {
  /** What the caller would silently get instead, as the end of a sentence: "the container would run without its secrets". */
  readonly refused: string;
  /** The issue that will build it; without one (and not by design) the message says "not planned yet". */
  readonly issue?: number;
  /** Berth will not do it (it is one account's, one region's server): no "yet" in the message. */
  readonly byDesign?: true;
  /**
   * When the member is refused. Default: whenever it is present and says something (not null,
   * false, '', [] or {}), so `enableExecuteCommand: false` and `secrets: []` pass. `parent` is the
   * structure that holds the member (a volume, for its efsVolumeConfiguration).
   */
  readonly when?: (value: unknown, scope: MemberScope, parent: unknown) => boolean;
}

export interface InertMember {
  /** Why it has no effect, in a line: "no VPCs: tasks get Docker's networks". */
  readonly inert: string;
  /** The issue that will give it an effect, if one is planned. */
  readonly issue?: number;
}

export type MemberRule = RefusedMember | InertMember;

export interface OperationMembers {
  /** Member paths (leaves of the model) that the operation's code reads and acts on. */
  readonly acted: readonly string[];
  readonly rules?: Readonly<Record<string, MemberRule>>;
}

/** By AWS operation name; every operation a service implements has an entry. */
export type MemberTable = Readonly<Record<string, OperationMembers>>;

export function isRefused(rule: MemberRule): rule is RefusedMember {
  return 'refused' in rule;
}

/** `prefix.name` for each name: the acted members under one structure, without repeating its path. */
export function under(prefix: string, names: readonly string[]): string[] {
  return names.map((name) => `${prefix}.${name}`);
}

/** A condition: the value is one of these (an enum member Berth does not support). */
export function oneOf(...values: readonly unknown[]): (value: unknown) => boolean {
  return (value) => values.includes(value);
}

/** A condition: the value is none of these (the enum members Berth supports). */
export function noneOf(...values: readonly unknown[]): (value: unknown) => boolean {
  return (value) => !values.includes(value);
}

/** A condition on a structure: its `name` member satisfies `test`. */
export function whereMember(name: string, test: (value: unknown) => boolean): (value: unknown) => boolean {
  return (value) => typeof value === 'object' && value !== null && test((value as Record<string, unknown>)[name]);
}
