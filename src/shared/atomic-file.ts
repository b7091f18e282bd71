import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { asDataVolumeFull } from './storage-full.ts';

/**
 * Replaces a file atomically and durably: a temporary file written and flushed, renamed over the
 * old one, then the folder fsynced. A crash leaves the old content or the new, never a mix, and a
 * failed write (a full disk) leaves no temporary file behind.
 */
export function writeFileAtomic(file: string, content: string, mode = 0o600): void {
  writeThrough(file, content, mode, (temp) => renameSync(temp, file));
}

/**
 * Creates `file` atomically and durably unless it exists; false if it did (then it is left as is).
 * Two processes racing to create it end with one file, written whole by one of them.
 */
export function createFileAtomic(file: string, content: string, mode = 0o600): boolean {
  let created = true;
  writeThrough(file, content, mode, (temp) => {
    try {
      linkSync(temp, file); // unlike rename, never replaces what is there
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      created = false;
    }
  });
  return created;
}

function writeThrough(file: string, content: string, mode: number, place: (temp: string) => void): void {
  const dir = dirname(file);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(temp, content, { mode, flush: true });
    place(temp);
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw asDataVolumeFull(error);
  } finally {
    rmSync(temp, { force: true }); // gone after a rename; after a link or a failure, removed here
  }
}
