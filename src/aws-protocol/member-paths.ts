import type { ServiceModel } from './service-model.ts';

/**
 * The member paths of an input shape, from the service model, in the notation of the member tables
 * (shared/member-classification.ts): `leaves` are the members that hold values (scalars, lists and
 * maps of scalars, documents), `all` also the structures, lists and maps on the way to them.
 * Recursive shapes stop at their second appearance on a path, and every path at `maxDepth` steps.
 */
export interface MemberPaths {
  readonly leaves: readonly string[];
  readonly all: ReadonlySet<string>;
}

export function memberPaths(model: ServiceModel, shapeName: string | undefined, maxDepth = 16): MemberPaths {
  const leaves: string[] = [];
  const all = new Set<string>();
  const visit = (name: string, path: string, depth: number, seen: readonly string[]): void => {
    const shape = model.shapes[name];
    if (!shape) throw new Error(`shape ${name} is not in the ${model.metadata.serviceId} model`);
    if (path !== '') all.add(path);
    const nested = (child: string): boolean => model.shapes[child]?.type === 'structure';
    const recursive = seen.includes(name) || depth >= maxDepth;
    if (shape.type === 'structure' && !shape.document && !recursive) {
      for (const [member, ref] of Object.entries(shape.members ?? {})) {
        visit(ref.shape, path === '' ? member : `${path}.${member}`, depth + 1, [...seen, name]);
      }
    } else if (shape.type === 'list' && nested(shape.member!.shape) && !recursive) {
      visit(shape.member!.shape, `${path}[]`, depth + 1, [...seen, name]);
    } else if (shape.type === 'map' && nested(shape.value!.shape) && !recursive) {
      visit(shape.value!.shape, `${path}{}`, depth + 1, [...seen, name]);
    } else if (path !== '') {
      leaves.push(path);
    }
  };
  if (shapeName !== undefined) visit(shapeName, '', 0, []);
  return { leaves, all };
}
