// An image reference as ECS task definitions and `docker pull` write it:
//   [registry-host[:port]/]path[:tag][@algorithm:hex]
// The first path component is a registry host only if it has a dot or a port, or is `localhost`
// (distribution/reference's rule); otherwise the image lives on Docker Hub.

export interface ImageReference {
  /** Everything before the tag and digest, as Docker's `fromImage` wants it: `localhost:5000/team/web`. */
  readonly name: string;
  /** `localhost:5000`, or `docker.io` when the reference names no registry. */
  readonly registry: string;
  /** The path within the registry: `team/web`; Docker Hub's single names get `library/`. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function parseImageReference(reference: string): ImageReference {
  const at = reference.indexOf('@');
  const digest = at >= 0 ? reference.slice(at + 1) : undefined;
  let name = at >= 0 ? reference.slice(0, at) : reference;
  let tag: string | undefined;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  if (!name || tag === '' || digest === '' || (digest !== undefined && !digest.includes(':'))) {
    throw new Error(`invalid image reference: ${JSON.stringify(reference)}`);
  }
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  const registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? name.slice(slash + 1) : name;
  if (!hasRegistry && !repository.includes('/')) repository = `library/${repository}`;
  return { name, registry, repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** What to pass as the `tag` query parameter of a pull: the digest, else the tag, else `latest`. */
export function pullTag(reference: ImageReference): string {
  return reference.digest ?? reference.tag ?? 'latest';
}

/**
 * The manifest digest a reference resolves to on this host, from the image's RepoDigests
 * (`name@sha256:…`, one per repository it was pulled from or pushed to): the reference's own digest
 * when it names one, else the entry of the same repository. None for an image that never came from
 * a registry, which the ECS agent then reports without a digest as well.
 */
export function repoDigestOf(reference: string, repoDigests: readonly string[]): string | undefined {
  const wanted = parseImageReference(reference);
  if (wanted.digest !== undefined) return wanted.digest;
  for (const entry of repoDigests) {
    const at = entry.indexOf('@');
    if (at < 0) continue;
    let named: ImageReference;
    try {
      named = parseImageReference(entry.slice(0, at));
    } catch {
      continue;
    }
    if (named.registry === wanted.registry && named.repository === wanted.repository) return entry.slice(at + 1);
  }
  return undefined;
}
