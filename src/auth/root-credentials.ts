import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../shared/atomic-file.ts';
import { join } from 'node:path';
import { newAccessKeyId, newSecretAccessKey } from '../shared/ids.ts';
import type { SecretBox } from '../shared/secret-box.ts';

export interface RootCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** 'configured': from BERTH_ROOT_*; 'stored': read from the data folder; 'generated': created now. */
  readonly origin: 'configured' | 'stored' | 'generated';
}

export const ROOT_CREDENTIALS_FILE = 'root-credentials.json';

/** What root-credentials.json holds: the secret sealed with the master key (keys/master.key). */
interface StoredRootCredentials {
  readonly accessKeyId: string;
  readonly sealedSecretAccessKey: string;
}

/**
 * The root key pair: configured, or else generated on the first start and kept in the data folder
 * (mode 0600, written atomically: temp file, fsync, rename, fsync of the folder), so every restart
 * accepts the same keys. The file holds the secret sealed with the master key; a file written by
 * an older version, with the secret in plain text, is sealed in place on start.
 */
export function loadRootCredentials(
  dataDir: string,
  configured: { accessKeyId: string | undefined; secretAccessKey: string | undefined },
  options: { secretBox: SecretBox },
): RootCredentials {
  if (configured.accessKeyId !== undefined && configured.secretAccessKey !== undefined) {
    return { accessKeyId: configured.accessKeyId, secretAccessKey: configured.secretAccessKey, origin: 'configured' };
  }
  const box = options.secretBox;
  const file = join(dataDir, ROOT_CREDENTIALS_FILE);
  const write = (accessKeyId: string, secretAccessKey: string): void => {
    const stored: StoredRootCredentials = {
      accessKeyId,
      sealedSecretAccessKey: box.seal(secretAccessKey, context(accessKeyId)),
    };
    writeFileAtomic(file, JSON.stringify(stored, null, 2) + '\n', 0o600);
  };
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    const stored = JSON.parse(text) as {
      accessKeyId?: unknown;
      secretAccessKey?: unknown;
      sealedSecretAccessKey?: unknown;
    };
    const { accessKeyId, secretAccessKey, sealedSecretAccessKey } = stored;
    if (typeof accessKeyId === 'string' && typeof sealedSecretAccessKey === 'string') {
      return {
        accessKeyId,
        secretAccessKey: openRoot(box, file, accessKeyId, sealedSecretAccessKey),
        origin: 'stored',
      };
    }
    if (typeof accessKeyId === 'string' && typeof secretAccessKey === 'string') {
      write(accessKeyId, secretAccessKey); // an older, plaintext file: sealed now
      return { accessKeyId, secretAccessKey, origin: 'stored' };
    }
    throw new Error(`${file} is damaged: it must hold accessKeyId and sealedSecretAccessKey`);
  }
  const created = { accessKeyId: newAccessKeyId(), secretAccessKey: newSecretAccessKey() };
  write(created.accessKeyId, created.secretAccessKey);
  return { ...created, origin: 'generated' };
}

function context(accessKeyId: string): string {
  return `root:${accessKeyId}`;
}

function openRoot(box: SecretBox, file: string, accessKeyId: string, sealed: string): string {
  try {
    return box.open(sealed, context(accessKeyId));
  } catch (error) {
    throw new Error(`${file}: the root secret does not open with keys/master.key (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** The lines a user pastes into a shell to talk to this server. */
export function credentialInstructions(credentials: RootCredentials, endpoint: string, region: string): string {
  return [
    'Berth generated root credentials (kept encrypted in the data folder; shown once). To use them:',
    `  export AWS_ACCESS_KEY_ID=${credentials.accessKeyId}`,
    `  export AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey}`,
    `  export AWS_DEFAULT_REGION=${region}`,
    `  aws --endpoint-url ${endpoint} ecs list-clusters`,
    '',
  ].join('\n');
}
