import type { ServiceModel, ShapeModel } from '../src/aws-protocol/service-model.ts';

/**
 * The smallest input a service model accepts for a shape: required members only, each the first
 * enum value, the shortest string its pattern matches (from a few candidates), the minimum number,
 * the minimum list length. For tests that must get past validation to reach what comes after it
 * (authorization) on every operation, without a hand-written input per operation.
 */
export function minimalInput(model: ServiceModel, shapeName: string | undefined): Record<string, unknown> {
  if (shapeName === undefined) return {};
  return valueOf(model, shapeName, 0) as Record<string, unknown>;
}

const CANDIDATES = [
  'a',
  'arn:aws:ecs:us-east-1:000000000000:cluster/a',
  'sha256:' + '0'.repeat(64),
  '1',
  'a1',
  'a.b',
  '000000000000',
  'a-b',
  '/a',
  '1.1',
  '00000000-0000-0000-0000-000000000000',
];

function valueOf(model: ServiceModel, name: string, depth: number): unknown {
  const shape = model.shapes[name]!;
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      if (depth > 8) return out;
      // A structure with nothing required still gets its first member: an empty one in a list
      // would vanish from a query-protocol request.
      const members = shape.required?.length ? shape.required : Object.keys(shape.members ?? {}).slice(0, 1);
      for (const member of members) out[member] = valueOf(model, shape.members![member]!.shape, depth + 1);
      return out;
    }
    case 'list':
      return Array.from({ length: Math.max(shape.min ?? 0, 1) }, () => valueOf(model, shape.member!.shape, depth + 1));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < (shape.min ?? 0); i++)
        out[`${stringFor(model.shapes[shape.key!.shape]!)}${i || ''}`] = valueOf(model, shape.value!.shape, depth + 1);
      return out;
    }
    default:
      return scalarFor(shape);
  }
}

function scalarFor(shape: ShapeModel): unknown {
  switch (shape.type) {
    case 'string':
      return stringFor(shape);
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return Math.max(shape.min ?? 1, 1);
    case 'boolean':
      return false;
    case 'timestamp':
      return 1_700_000_000;
    case 'blob':
      return 'aGk=';
    default:
      return undefined;
  }
}

function stringFor(shape: ShapeModel): string {
  if (shape.enum) return shape.enum[0]!;
  const pattern = shape.pattern === undefined ? undefined : safePattern(shape.pattern);
  for (const candidate of CANDIDATES) {
    const value = candidate.length >= (shape.min ?? 0) ? candidate : candidate.padEnd(shape.min ?? 0, 'a');
    if (shape.max !== undefined && value.length > shape.max) continue;
    if (!pattern || pattern.test(value)) return value;
  }
  return 'a'.repeat(Math.max(shape.min ?? 1, 1));
}

function safePattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return undefined;
  }
}
