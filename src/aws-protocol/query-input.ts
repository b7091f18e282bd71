import type { ServiceModel } from './service-model.ts';

/**
 * The AWS query protocol's request side: flat form parameters (`Names.member.1=a`,
 * `Tags.member.1.Key=k`, `Attrs.entry.1.key=k`, `Config.Weight=2`) rebuilt into the nested value
 * the model's input shape describes, with scalars typed from the model (integers, booleans,
 * timestamps as epoch seconds) so the compiled validator (validate-input.ts) checks them as it
 * checks JSON input. A value the model cannot type (Port=eighty) stays a string, for the validator
 * to reject in AWS's words.
 */
export function parseQueryInput(
  model: ServiceModel,
  shapeName: string | undefined,
  params: ReadonlyMap<string, string>,
): Record<string, unknown> {
  if (shapeName === undefined) return {};
  // Every dotted prefix of every key, so "is anything under A.B?" is one lookup.
  const prefixes = new Set<string>();
  for (const key of params.keys()) {
    let dot = key.indexOf('.');
    while (dot !== -1) {
      prefixes.add(key.slice(0, dot));
      dot = key.indexOf('.', dot + 1);
    }
    prefixes.add(key);
  }
  const value = decode(model, shapeName, '', params, prefixes);
  return (value ?? {}) as Record<string, unknown>;
}

function decode(
  model: ServiceModel,
  shapeName: string,
  prefix: string,
  params: ReadonlyMap<string, string>,
  prefixes: ReadonlySet<string>,
): unknown {
  const shape = model.shapes[shapeName];
  if (!shape) throw new Error(`shape ${shapeName} is not in the ${model.metadata.serviceId} model`);
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const key = prefix === '' ? name : `${prefix}.${name}`;
        if (prefixes.has(key)) out[name] = decode(model, ref.shape, key, params, prefixes);
      }
      return out;
    }
    case 'list':
      return indexed(`${prefix}.member.`, params).map((n) =>
        decode(model, shape.member!.shape, `${prefix}.member.${n}`, params, prefixes),
      );
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const n of indexed(`${prefix}.entry.`, params)) {
        const key = params.get(`${prefix}.entry.${n}.key`);
        if (key !== undefined)
          out[key] = decode(model, shape.value!.shape, `${prefix}.entry.${n}.value`, params, prefixes);
      }
      return out;
    }
    default:
      return scalar(shape.type, params.get(prefix));
  }
}

/** The distinct N of `<prefix>N...` keys, in numeric order (a client may skip or reorder them). */
function indexed(prefix: string, params: ReadonlyMap<string, string>): number[] {
  const seen = new Set<number>();
  for (const key of params.keys()) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const digits = /^\d+/.exec(rest)?.[0];
    if (digits !== undefined && (rest.length === digits.length || rest[digits.length] === '.'))
      seen.add(Number(digits));
  }
  return [...seen].sort((a, b) => a - b);
}

function scalar(type: string, raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  switch (type) {
    case 'integer':
    case 'long':
      return /^-?\d+$/.test(raw) ? Number(raw) : raw;
    case 'float':
    case 'double':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'timestamp': {
      // Query requests carry ISO 8601 (or epoch seconds); the validator takes epoch seconds.
      if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
      const ms = Date.parse(raw);
      return Number.isNaN(ms) ? raw : ms / 1000;
    }
    default:
      return raw;
  }
}

/** Form parameters from an x-www-form-urlencoded body and/or a query string; the later one wins. */
export function formParameters(...sources: readonly string[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const source of sources) for (const [key, value] of new URLSearchParams(source)) params.set(key, value);
  return params;
}
