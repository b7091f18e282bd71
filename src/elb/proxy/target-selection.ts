/**
 * Pure choices: which target group of a weighted forward, and which target of a group. The caller
 * owns the state (cursor, smooth-round-robin credits) and passes the random number, so every choice
 * can be replayed in a test.
 */

/** Picks by weight; a weight of 0 is never picked. `random` is in [0, 1). */
export function chooseWeighted<T extends { readonly weight: number }>(
  choices: readonly T[],
  random: number,
): T | undefined {
  if (choices.length === 1) return choices[0]!.weight > 0 ? choices[0] : undefined;
  let total = 0;
  for (const choice of choices) total += Math.max(0, choice.weight);
  if (total === 0) return undefined;
  let point = random * total;
  for (const choice of choices) {
    if (choice.weight <= 0) continue;
    point -= choice.weight;
    if (point < 0) return choice;
  }
  // Rounding at the very top of the range: the last eligible choice.
  return choices.findLast((choice) => choice.weight > 0);
}

/** A slow-starting target's share grows linearly from this floor, so it still sees a little traffic at once. */
export const SLOW_START_FLOOR = 0.01;

/**
 * A target's share during slow start: 1 when slow start is off or over, else the fraction of the
 * window elapsed since the target became healthy (ALB ramps linearly).
 */
export function slowStartWeight(healthySinceMs: number | undefined, nowMs: number, slowStartMs: number): number {
  if (slowStartMs <= 0 || healthySinceMs === undefined) return 1;
  const elapsed = nowMs - healthySinceMs;
  if (elapsed >= slowStartMs) return 1;
  return Math.max(SLOW_START_FLOOR, elapsed / slowStartMs);
}

/** What the choice reads of a target; `credit` is the smooth round robin's running balance, owned by the caller. */
export interface TargetLoad {
  readonly inFlight: number;
  /** 0..1: below 1 only during slow start. */
  readonly weight: number;
  credit: number;
}

export type Algorithm = 'round_robin' | 'least_outstanding_requests';

export interface SelectionState {
  cursor: number;
}

/** The index of the chosen target, or -1 when there is none. */
export function chooseTarget(targets: readonly TargetLoad[], algorithm: Algorithm, state: SelectionState): number {
  const count = targets.length;
  if (count === 0) return -1;
  if (count === 1) return 0;
  return algorithm === 'least_outstanding_requests' ? leastOutstanding(targets, state) : roundRobin(targets, state);
}

function roundRobin(targets: readonly TargetLoad[], state: SelectionState): number {
  let uniform = true;
  for (const target of targets) if (target.weight !== 1) uniform = false;
  if (uniform) {
    const index = state.cursor % targets.length;
    state.cursor = index + 1;
    return index;
  }
  // Smooth weighted round robin (nginx): each turn every target earns its weight, the richest is
  // chosen and pays the total. Spreads a slow-starting target's few requests evenly.
  let total = 0;
  let best = 0;
  for (let index = 0; index < targets.length; index++) {
    const target = targets[index]!;
    target.credit += target.weight;
    total += target.weight;
    if (target.credit > targets[best]!.credit) best = index;
  }
  targets[best]!.credit -= total;
  return best;
}

/**
 * The fewest outstanding requests relative to weight; ties go round the group from a moving start,
 * so an idle group is still spread evenly.
 */
function leastOutstanding(targets: readonly TargetLoad[], state: SelectionState): number {
  const count = targets.length;
  const start = state.cursor % count;
  state.cursor = start + 1;
  let best = -1;
  let bestScore = Infinity;
  for (let step = 0; step < count; step++) {
    const index = (start + step) % count;
    const target = targets[index]!;
    const score = (target.inFlight + 1) / target.weight;
    if (score < bestScore) {
      best = index;
      bestScore = score;
    }
  }
  return best;
}
