import { createHash } from 'node:crypto';
import type { BlobReader, BlobStore, Digest } from '../blobs/index.ts';
import type { Clock } from '../shared/clock.ts';
import { KeyedMutex } from '../shared/keyed-mutex.ts';
import type { ManifestRecord, MetadataStore, RepositoryRecord } from '../store/index.ts';
import { formatDigest, parseDigest } from './digests.ts';
import { LayerUploads } from './layer-uploads.ts';
import { parseManifest, type Descriptor } from './manifests.ts';
import { isIndexMediaType } from './media-types.ts';
import { isRepositoryName, isTag } from './names.ts';
import { RegistryError } from './registry-errors.ts';
import { isTagImmutable, type TagMutabilitySettings } from './tag-mutability.ts';
import { accountSetting } from './account-settings.ts';
import { scansOnPush } from './registry-scanning.ts';

export interface RegistryDeps {
  readonly store: MetadataStore;
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly newId: () => string;
  /** The largest layer (ECR's 52,000 MiB unless a test sets less). */
  readonly maxLayerBytes?: number;
}

/** A pull is recorded (ECR's lastRecordedPullTime) at most this often per image. */
const PULL_RECORD_INTERVAL_MS = 60_000;

/**
 * The registry's domain: what docker push and pull do, independent of HTTP. oci/ translates the
 * distribution API to these calls; the ECR API reads the same data.
 */
export class Registry {
  readonly uploads: LayerUploads;
  /** Taken by blob commits, mounts, manifest pushes (for their blobs) and garbage collection. */
  readonly digestLocks = new KeyedMutex();
  readonly #deps: RegistryDeps;

  constructor(deps: RegistryDeps) {
    this.#deps = deps;
    this.uploads = new LayerUploads({ ...deps, digestLocks: this.digestLocks });
  }

  /** The repository, which must exist: ECR does not create repositories on push. */
  async requireRepository(name: string): Promise<RepositoryRecord> {
    if (!isRepositoryName(name)) throw new RegistryError('NAME_INVALID', `invalid repository name '${name}'`);
    const repository = await this.#deps.store.repositories.get(name);
    if (!repository) {
      throw new RegistryError(
        'NAME_UNKNOWN',
        `repository '${name}' does not exist: create it first (aws ecr create-repository)`,
        {
          name,
        },
      );
    }
    return repository;
  }

  async resolve(repository: string, reference: string): Promise<string> {
    if (parseDigest(reference)) return reference;
    if (!isTag(reference)) throw new RegistryError('TAG_INVALID', `invalid tag '${reference}'`);
    const digest = await this.#deps.store.registry.resolveTag(repository, reference);
    if (!digest)
      throw new RegistryError('MANIFEST_UNKNOWN', `manifest unknown: no tag '${reference}' in '${repository}'`);
    return digest;
  }

  /**
   * The manifest for a tag or digest, negotiated against the client's Accept list: a stored type
   * the client does not accept is never served as if it were another. An index asked for by a
   * client that accepts only single manifests resolves to its linux/amd64 entry, as distribution does.
   */
  async getManifest(
    repository: string,
    reference: string,
    accept: readonly string[],
    options: { pull: boolean },
  ): Promise<ManifestRecord> {
    const digest = await this.resolve(repository, reference);
    let manifest = await this.#deps.store.registry.getManifest(repository, digest);
    if (!manifest) throw new RegistryError('MANIFEST_UNKNOWN', `manifest unknown: ${digest}`);
    if (!accepts(accept, manifest.mediaType) && isIndexMediaType(manifest.mediaType)) {
      manifest = await this.#platformDefault(repository, manifest, accept);
    }
    if (!accepts(accept, manifest.mediaType)) {
      throw new RegistryError(
        'MANIFEST_UNKNOWN',
        `manifest ${digest} is a ${manifest.mediaType}, which the Accept header does not list`,
      );
    }
    const now = this.#deps.clock.now();
    if (
      options.pull &&
      (!manifest.lastPulledAt || now.getTime() - manifest.lastPulledAt.getTime() > PULL_RECORD_INTERVAL_MS)
    ) {
      await this.#deps.store.registry.recordPull(repository, manifest.digest, now);
    }
    return manifest;
  }

  async #platformDefault(
    repository: string,
    index: ManifestRecord,
    accept: readonly string[],
  ): Promise<ManifestRecord> {
    const children =
      (JSON.parse(Buffer.from(index.body).toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? [];
    const child = children.find(
      (c) => c.platform?.os === 'linux' && c.platform.architecture === 'amd64' && accepts(accept, c.mediaType),
    );
    return (child && (await this.#deps.store.registry.getManifest(repository, child.digest))) ?? index;
  }

  /** The digest a manifest's bytes have, in the algorithm of `expected` (sha256 by default). */
  manifestDigestOf(body: Uint8Array, expected?: string): string {
    const algorithm = (expected === undefined ? undefined : parseDigest(expected)?.algorithm) ?? 'sha256';
    return `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
  }

  /** Stores a pushed manifest after checking that everything it references is in the repository. */
  async putManifest(
    repositoryName: string,
    reference: string,
    contentType: string | undefined,
    body: Uint8Array,
  ): Promise<ManifestRecord> {
    const repository = await this.requireRepository(repositoryName);
    const referenceDigest = parseDigest(reference);
    if (!referenceDigest && !isTag(reference)) throw new RegistryError('TAG_INVALID', `invalid tag '${reference}'`);
    const parsed = parseManifest(body, contentType);
    const algorithm = referenceDigest?.algorithm ?? 'sha256';
    const digest = `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
    if (referenceDigest && formatDigest(referenceDigest) !== digest) {
      throw new RegistryError('DIGEST_INVALID', `manifest digest ${digest} does not match the reference ${reference}`);
    }
    const blobs = parsed.references.filter((r) => r.kind === 'blob').map((r) => r.digest);
    // Holding the blobs' locks keeps the garbage collector off them between the check and the write.
    return this.digestLocks.runAll(blobs, async () => {
      const linked = await this.#deps.store.registry.linkedBlobs(repositoryName, blobs);
      const missingBlobs = blobs.filter((b) => !linked.has(b));
      if (missingBlobs.length > 0) {
        throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${missingBlobs[0]}`, {
          digest: missingBlobs[0],
          digests: missingBlobs,
          kind: 'blob',
        });
      }
      const children = await this.#deps.store.registry.manifestSizes(
        repositoryName,
        parsed.children.map((c) => c.digest),
      );
      const missingChildren = parsed.children.filter((c) => !children.has(c.digest)).map((c) => c.digest);
      if (missingChildren.length > 0) {
        throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `manifest unknown to registry: ${missingChildren[0]}`, {
          digest: missingChildren[0],
          digests: missingChildren,
          kind: 'manifest',
        });
      }
      const tag = referenceDigest ? undefined : reference;
      if (tag !== undefined && isTagImmutable(repository.details as TagMutabilitySettings, tag)) {
        const current = await this.#deps.store.registry.resolveTag(repositoryName, tag);
        if (current !== undefined && current !== digest) {
          throw new RegistryError(
            'TAG_INVALID',
            `The image tag '${tag}' already exists in the '${repositoryName}' repository and cannot be overwritten because the repository is immutable.`,
          );
        }
      }
      const record: ManifestRecord = {
        repository: repositoryName,
        digest,
        mediaType: parsed.mediaType,
        artifactType: parsed.artifactType,
        configMediaType: parsed.configMediaType,
        subject: parsed.subject,
        size: body.byteLength,
        imageSize: parsed.isIndex ? [...children.values()].reduce((a, b) => a + b, 0) : parsed.layersSize,
        body,
        annotations: parsed.annotations,
        pushedAt: this.#deps.clock.now(),
        lastPulledAt: undefined,
        // Scan on push (the repository's own setting or a registry scanning rule): Berth has no
        // vulnerability scanner yet, so a scan completes at once with no findings.
        scanCompletedAt: (await scansOnPush(this.#deps.store, repository)) ? this.#deps.clock.now() : undefined,
      };
      await this.#deps.store.registry.putManifest(record, parsed.references, tag);
      return record;
    });
  }

  /** Deletes a manifest (by digest: with every tag on it) or, by tag, just the tag. */
  async deleteManifest(repository: string, reference: string): Promise<void> {
    await this.requireRepository(repository);
    if (parseDigest(reference)) {
      if (!(await this.#deps.store.registry.deleteManifest(repository, reference))) {
        throw new RegistryError('MANIFEST_UNKNOWN', `manifest unknown: ${reference}`);
      }
      return;
    }
    if (!isTag(reference)) throw new RegistryError('TAG_INVALID', `invalid tag '${reference}'`);
    if (!(await this.#deps.store.registry.deleteTag(repository, reference))) {
      throw new RegistryError('MANIFEST_UNKNOWN', `manifest unknown: no tag '${reference}' in '${repository}'`);
    }
  }

  /** The size of a blob the repository has. */
  async blobSize(repository: string, digestText: string): Promise<{ digest: Digest; size: number }> {
    const digest = parseDigest(digestText);
    if (!digest) throw new RegistryError('DIGEST_INVALID', `invalid digest '${digestText}'`);
    const size = await this.#deps.store.registry.linkedBlobSize(repository, digestText);
    if (size === undefined)
      throw new RegistryError('BLOB_UNKNOWN', `blob unknown to registry: ${digestText}`, { digest: digestText });
    return { digest, size };
  }

  openBlob(digest: Digest): Promise<BlobReader> {
    return this.#deps.blobs.openRead(digest);
  }

  /** Where a client may fetch the blob itself (an object store's presigned URL), if the store has one. */
  async blobRedirect(digest: Digest): Promise<string | undefined> {
    return this.#deps.blobs.redirectUrl?.(digest);
  }

  async deleteBlob(repository: string, digestText: string): Promise<void> {
    await this.blobSize(repository, digestText);
    await this.#deps.store.registry.unlinkBlob(repository, digestText);
  }

  /**
   * Cross-repository mount: links a blob the caller may read in `from` into `repository`. False
   * when it cannot (unknown source or blob, or the BLOB_MOUNTING account setting is DISABLED): the
   * caller then falls back to a normal upload.
   */
  async mount(
    repository: string,
    digestText: string,
    from: string,
    canRead: (source: RepositoryRecord) => Promise<boolean>,
  ): Promise<boolean> {
    const digest = parseDigest(digestText);
    if (!digest || !isRepositoryName(from)) return false;
    if ((await accountSetting(this.#deps, 'BLOB_MOUNTING')) === 'DISABLED') return false;
    const source = await this.#deps.store.repositories.get(from);
    if (!source || !(await canRead(source))) return false;
    return this.digestLocks.run(digestText, async () => {
      const size = await this.#deps.store.registry.linkedBlobSize(from, digestText);
      if (size === undefined || (await this.#deps.blobs.stat(digest)) === undefined) return false;
      await this.#deps.store.registry.linkBlob(repository, digestText, size, this.#deps.clock.now());
      return true;
    });
  }

  /** Tags in lexical order, `limit` at most, after `last`; `more` when another page exists. */
  async tags(
    repository: string,
    limit: number | undefined,
    last: string | undefined,
  ): Promise<{ tags: string[]; more: boolean }> {
    const pageSize = limit ?? 1000;
    const rows = await this.#deps.store.registry.listTags(repository, { after: last, limit: pageSize + 1 });
    return { tags: rows.slice(0, pageSize), more: rows.length > pageSize };
  }

  /** The OCI referrers of a manifest, as index descriptors, optionally only of one artifactType. */
  async referrers(repository: string, digestText: string, artifactType: string | undefined): Promise<Descriptor[]> {
    if (!parseDigest(digestText)) throw new RegistryError('DIGEST_INVALID', `invalid digest '${digestText}'`);
    const manifests = await this.#deps.store.registry.referrers(repository, digestText);
    return manifests
      .map((m) => ({
        mediaType: m.mediaType,
        digest: m.digest,
        size: m.size,
        ...((m.artifactType ?? m.configMediaType) ? { artifactType: (m.artifactType ?? m.configMediaType)! } : {}),
        ...(m.annotations ? { annotations: { ...m.annotations } } : {}),
      }))
      .filter((d) => artifactType === undefined || d.artifactType === artifactType);
  }
}

/** Whether an Accept list admits a media type (no list, or a wildcard, admits everything). */
function accepts(accept: readonly string[], mediaType: string): boolean {
  return accept.length === 0 || accept.includes('*/*') || accept.includes(mediaType);
}
