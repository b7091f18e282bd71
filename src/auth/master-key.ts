import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileAtomic } from '../shared/atomic-file.ts';
import { SECRET_KEY_BYTES, SecretBox } from '../shared/secret-box.ts';

export const MASTER_KEY_FILE = join('keys', 'master.key');

/**
 * The key secrets are sealed with at rest (users' secret access keys in the store, the root secret
 * in root-credentials.json): 32 random bytes, base64, in <data dir>/keys/master.key (0600, in a
 * 0700 folder), made atomically on the first start and never replaced. A copy of berth.sqlite
 * without this file discloses no secret; losing the file loses the users' keys.
 *
 * Today the file holds the key itself. Envelope encryption (the KMS roadmap) would keep here a
 * data key wrapped by a KMS key, and unwrap it at this one place.
 */
export function loadSecretBox(dataDir: string): SecretBox {
  const file = join(dataDir, MASTER_KEY_FILE);
  const existing = readKey(file);
  if (existing) return new SecretBox(existing);
  // Another start may have won the race to create it: then its key is the one.
  createFileAtomic(file, randomBytes(SECRET_KEY_BYTES).toString('base64') + '\n', 0o600);
  return new SecretBox(readKey(file)!);
}

function readKey(file: string): Buffer | undefined {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== SECRET_KEY_BYTES)
    throw new Error(`${file} is damaged: it must hold ${SECRET_KEY_BYTES} base64 bytes`);
  return key;
}
