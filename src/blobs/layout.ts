import { join } from 'node:path';
import type { Digest } from './blob-store.ts';

/*
 * The on-disk layout of the filesystem blob store, in one place (like distribution's paths.go):
 *
 *   <root>/blobs/<algorithm>/<first two hex digits>/<hex>    committed blobs, immutable
 *   <root>/uploads/<upload id>                               bytes of an upload in progress
 *
 * <root> is <data dir>/registry. Committed blobs are renamed into place from uploads/, on the same
 * file system, so a blob path either does not exist or holds the whole, verified content.
 */
export function blobsRoot(root: string): string {
  return join(root, 'blobs');
}

export function blobPath(root: string, digest: Digest): string {
  return join(root, 'blobs', digest.algorithm, digest.hex.slice(0, 2), digest.hex);
}

export function uploadsRoot(root: string): string {
  return join(root, 'uploads');
}

export function uploadPath(root: string, id: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(id)) throw new Error(`invalid upload id ${id}`);
  return join(root, 'uploads', id);
}
