import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Folders in the data folder are private to the server's user, and so are files. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export interface DataFolderReport {
  /** Folders and files whose mode was changed to 0700 / 0600. */
  readonly repaired: number;
  /** Entries whose mode could not be changed (owned by another user, say): the first few. */
  readonly failed: readonly string[];
  /** True when the walk stopped at its bound before seeing everything. */
  readonly truncated: boolean;
}

/** The walk sees at most this many entries: start-up stays bounded whatever the folder holds. */
const MAX_ENTRIES = 2_000_000;
/** Deeper than any layout Berth writes (registry/blobs/sha256/ab/<hex> is 4). */
const MAX_DEPTH = 16;

/**
 * Creates the data folder (0700) and makes what it already holds private: every folder 0700, every
 * file 0600, so neither the secrets nor the metadata are readable by other local users. Folders and
 * files made by older versions (0755 / 0644) are repaired here, once per start. Symbolic links are
 * neither followed nor changed; only the data folder itself may be one.
 */
export function makeDataFolderPrivate(dir: string): DataFolderReport {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const failed: string[] = [];
  let repaired = 0;
  let seen = 0;
  const restrict = (path: string, mode: number, wanted: number): void => {
    if ((mode & 0o7777) === wanted) return;
    try {
      chmodSync(path, wanted);
      repaired += 1;
    } catch {
      if (failed.length < 10) failed.push(path);
    }
  };
  let truncated = false;
  restrict(dir, statSync(dir).mode, PRIVATE_DIR_MODE);
  const pending: { path: string; depth: number }[] = [{ path: dir, depth: 0 }];
  while (pending.length > 0) {
    const { path, depth } = pending.pop()!;
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      if (failed.length < 10) failed.push(path);
      continue;
    }
    for (const name of names) {
      if (++seen > MAX_ENTRIES) return { repaired, failed, truncated: true };
      const entry = join(path, name);
      let stats;
      try {
        stats = lstatSync(entry);
      } catch {
        continue; // removed meanwhile
      }
      if (stats.isDirectory()) {
        restrict(entry, stats.mode, PRIVATE_DIR_MODE);
        if (depth + 1 < MAX_DEPTH) pending.push({ path: entry, depth: depth + 1 });
        else truncated = true;
      } else if (stats.isFile()) {
        restrict(entry, stats.mode, PRIVATE_FILE_MODE);
      }
    }
  }
  return { repaired, failed, truncated };
}
