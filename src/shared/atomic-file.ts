import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Replaces a file atomically and durably: a temporary file written and flushed, renamed over the
 * old one, then the folder fsynced. A crash leaves the old content or the new, never a mix.
 */
export function writeFileAtomic(file: string, content: string, mode = 0o600): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode, flush: true });
  renameSync(temp, file);
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
