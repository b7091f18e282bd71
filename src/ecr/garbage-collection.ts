import type { BlobStore } from '../blobs/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { KeyedMutex } from '../shared/keyed-mutex.ts';
import type { MetadataStore } from '../store/index.ts';
import { parseDigest } from './digests.ts';
import type { LayerUploads } from './layer-uploads.ts';

export interface GarbageCollectionDeps {
  readonly store: MetadataStore;
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly digestLocks: KeyedMutex;
  /** The registry's upload sessions (Registry.uploads): abandoned ones are reclaimed under their locks. */
  readonly uploads: Pick<LayerUploads, 'reclaim'>;
}

export interface GarbageCollectionOptions {
  /**
   * A blob linked more recently than this is kept even if no manifest references it yet: it was
   * just pushed and its manifest is on its way.
   */
  readonly blobGraceMs: number;
  /** Uploads idle for longer than this are abandoned (BERTH_UPLOAD_EXPIRY_SECONDS). */
  readonly uploadIdleMs: number;
}

export const DEFAULT_GC_OPTIONS: GarbageCollectionOptions = {
  blobGraceMs: 60 * 60 * 1000,
  uploadIdleMs: 24 * 60 * 60 * 1000,
};

export interface GarbageCollectionReport {
  readonly blobsDeleted: number;
  readonly uploadsDeleted: number;
}

/**
 * Deletes blobs no manifest references (after a grace period) and abandoned uploads. Safe while
 * pushes run: each blob is deleted under its digest's lock, which blob commits, mounts and manifest
 * pushes take too, and only if the store still finds it unreferenced and not recently linked.
 * Upload bytes live apart from blobs, so an upload in flight is never touched unless abandoned.
 */
export async function collectGarbage(
  deps: GarbageCollectionDeps,
  options: GarbageCollectionOptions = DEFAULT_GC_OPTIONS,
): Promise<GarbageCollectionReport> {
  const now = deps.clock.now().getTime();
  const linkedBefore = new Date(now - options.blobGraceMs);
  let blobsDeleted = 0;
  for (;;) {
    const candidates = await deps.store.registry.unreferencedBlobs(linkedBefore, 500);
    if (candidates.length === 0) break;
    let progressed = false;
    for (const text of candidates) {
      const digest = parseDigest(text);
      await deps.digestLocks.run(text, async () => {
        if (!(await deps.store.registry.deleteBlobIfUnreferenced(text, linkedBefore))) return;
        progressed = true;
        blobsDeleted += 1;
        if (digest) await deps.blobs.delete(digest);
      });
    }
    if (!progressed) break;
  }
  // Blob files the store has no record of: left by a crash between a commit's rename and its
  // record. A live commit holds the digest's lock across both steps, so it is never mistaken for one
  // on this server; one on another server sharing the blobs is why only files older than the grace go.
  const known = await deps.store.registry.blobDigests();
  for await (const digest of deps.blobs.list()) {
    const text = `${digest.algorithm}:${digest.hex}`;
    if (known.has(text)) continue;
    await deps.digestLocks.run(text, async () => {
      if ((await deps.store.registry.blobDigests()).has(text)) return;
      // Young: a commit on another server (which this server's lock does not cover) may record it next.
      const modifiedAt = await deps.blobs.modifiedAt(digest);
      if (modifiedAt === undefined || modifiedAt > now - options.blobGraceMs) return;
      await deps.blobs.delete(digest);
      blobsDeleted += 1;
    });
  }
  const uploadsDeleted = await deps.uploads.reclaim({ idleBefore: new Date(now - options.uploadIdleMs) });
  return { blobsDeleted, uploadsDeleted };
}
