import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../shared/atomic-file.ts';
import { join } from 'node:path';
import { newAccessKeyId, newSecretAccessKey } from '../shared/ids.ts';

export interface RootCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** 'configured': from BERTH_ROOT_*; 'stored': read from the data folder; 'generated': created now. */
  readonly origin: 'configured' | 'stored' | 'generated';
}

export const ROOT_CREDENTIALS_FILE = 'root-credentials.json';

/**
 * The root key pair: configured, or else generated on the first start and kept in the data folder
 * (mode 0600, written atomically: temp file, fsync, rename, fsync of the folder), so every restart
 * accepts the same keys.
 */
export function loadRootCredentials(
  dataDir: string,
  configured: { accessKeyId: string | undefined; secretAccessKey: string | undefined },
): RootCredentials {
  if (configured.accessKeyId !== undefined && configured.secretAccessKey !== undefined) {
    return { accessKeyId: configured.accessKeyId, secretAccessKey: configured.secretAccessKey, origin: 'configured' };
  }
  const file = join(dataDir, ROOT_CREDENTIALS_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    const stored = JSON.parse(text) as { accessKeyId?: unknown; secretAccessKey?: unknown };
    if (typeof stored.accessKeyId !== 'string' || typeof stored.secretAccessKey !== 'string') {
      throw new Error(`${file} is damaged: it must hold accessKeyId and secretAccessKey`);
    }
    return { accessKeyId: stored.accessKeyId, secretAccessKey: stored.secretAccessKey, origin: 'stored' };
  }
  const created = { accessKeyId: newAccessKeyId(), secretAccessKey: newSecretAccessKey() };
  writeFileAtomic(file, JSON.stringify(created, null, 2) + '\n', 0o600);
  return { ...created, origin: 'generated' };
}

/** The lines a user pastes into a shell to talk to this server. */
export function credentialInstructions(credentials: RootCredentials, endpoint: string, region: string): string {
  return [
    'Berth generated root credentials (stored in the data folder; shown once). To use them:',
    `  export AWS_ACCESS_KEY_ID=${credentials.accessKeyId}`,
    `  export AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey}`,
    `  export AWS_DEFAULT_REGION=${region}`,
    `  aws --endpoint-url ${endpoint} ecs list-clusters`,
    '',
  ].join('\n');
}
