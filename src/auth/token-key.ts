import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../shared/atomic-file.ts';

export const TOKEN_KEY_FILE = 'registry-token.key';

/**
 * The key registry passwords are signed with: 32 random bytes made on the first start and kept in
 * the data folder (mode 0600), so tokens stay valid across restarts, as on ECR.
 */
export function loadTokenKey(dataDir: string): Buffer {
  const file = join(dataDir, TOKEN_KEY_FILE);
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} is damaged: it must hold 32 base64 bytes`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  writeFileAtomic(file, key.toString('base64') + '\n', 0o600);
  return key;
}
