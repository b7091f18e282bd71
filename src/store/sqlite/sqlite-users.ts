import type { Kysely } from 'kysely';
import { isSealed, type SecretBox } from '../../shared/secret-box.ts';
import type { Database } from './schema.ts';

/*
 * Secret access keys at rest: sealed (SecretBox, the data folder's master key) before they reach
 * SQLite, and opened as they are read (sqlite-iam.ts), so the database file alone discloses none.
 */

/** Binds a sealed secret to its access key: moved onto another row, it does not open. */
function secretContext(accessKeyId: string): string {
  return `access-key:${accessKeyId}`;
}

export function sealSecretKey(box: SecretBox, accessKeyId: string, secret: string): string {
  return box.seal(secret, secretContext(accessKeyId));
}

export function openSecretKey(box: SecretBox, accessKeyId: string, sealed: string): string {
  try {
    return box.open(sealed, secretContext(accessKeyId));
  } catch (error) {
    throw new Error(
      `the secret of access key ${accessKeyId} does not open with the data folder's master key (keys/master.key): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Seals the secret access keys that older versions stored in plain text, in one transaction;
 * sealed rows are left alone, so running it on every start is a no-op once done. Resolves with how
 * many were sealed. The caller turns secure_delete on, so no freed page keeps the old text.
 */
export async function sealPlaintextSecretKeys(db: Kysely<Database>, box: SecretBox): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('access_keys').select(['access_key_id', 'secret_access_key']).execute();
    const plaintext = rows.filter((row) => !isSealed(row.secret_access_key));
    for (const row of plaintext) {
      await trx
        .updateTable('access_keys')
        .set({ secret_access_key: sealSecretKey(box, row.access_key_id, row.secret_access_key) })
        .where('access_key_id', '=', row.access_key_id)
        .execute();
    }
    return plaintext.length;
  });
}
