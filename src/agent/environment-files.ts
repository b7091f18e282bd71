import type { ContainerDefinition } from '../ecs/index.ts';
import { ResourceInitializationError } from './runtime.ts';

/**
 * A container's `environmentFiles`: S3 objects the agent downloads before creating the container,
 * read as Docker env-files (ECS: "The file is handled like a native Docker env-file"). Variables
 * from `environment` win over the files (container-config.ts applies them last); between files,
 * the first file that sets a variable wins, as the ECS agent merges them ("processed from the top
 * down").
 */

/** Reads one object with the agent's own credentials; rejects with an Error whose message is S3's `Code: Message`. */
export type EnvironmentFileReader = (bucket: string, key: string) => Promise<Uint8Array>;

/** Berth's bound on one file (ECS sets none; the file is read into memory here). */
export const MAX_ENVIRONMENT_FILE_BYTES = 10 * 1024 * 1024;

/**
 * One file's variables: lines VAR=VALUE (the value is everything after the first `=`, taken
 * literally: no quotes, no escapes, no interpolation); leading whitespace is ignored; lines
 * starting with `#` and blank lines are skipped, and so are lines without `=` or with an empty or
 * blank-containing name. A later line overrides an earlier one for the same name.
 */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trimStart();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const name = line.slice(0, eq);
    if (/\s/.test(name)) continue;
    variables[name] = line.slice(eq + 1);
  }
  return variables;
}

/** `arn:<partition>:s3:::<bucket>/<key>` → bucket and key. */
export function parseS3ObjectArn(arn: string): { bucket: string; key: string } | undefined {
  const match = /^arn:[a-z-]+:s3:::([^/]+)\/(.+)$/.exec(arn);
  return match ? { bucket: match[1]!, key: match[2]! } : undefined;
}

/** Files in order; the first one that sets a name wins. */
export function mergeEnvironmentFiles(files: readonly Record<string, string>[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const file of files) {
    for (const [name, value] of Object.entries(file)) if (!(name in merged)) merged[name] = value;
  }
  return merged;
}

/**
 * Downloads and reads every container's environment files (all at once, as the ECS agent does).
 * Throws ResourceInitializationError naming each file that could not be read.
 */
export async function readEnvironmentFiles(
  containers: readonly ContainerDefinition[],
  read: EnvironmentFileReader | undefined,
): Promise<Map<string, Record<string, string>>> {
  const failures: string[] = [];
  const result = new Map<string, Record<string, string>>();
  await Promise.all(
    containers.map(async (container) => {
      const files = (container.environmentFiles ?? []).filter((file) => file.type === 's3');
      if (files.length === 0) return;
      const parsed = await Promise.all(
        files.map(async (file) => {
          try {
            return parseEnvironmentFile(await download(file.value ?? '', read));
          } catch (error) {
            failures.push((error as Error).message);
            return {};
          }
        }),
      );
      result.set(container.name!, mergeEnvironmentFiles(parsed));
    }),
  );
  if (failures.length > 0) {
    throw new ResourceInitializationError(`failed to download env files: ${failures.join('; ')}`);
  }
  return result;
}

async function download(arn: string, read: EnvironmentFileReader | undefined): Promise<string> {
  const location = parseS3ObjectArn(arn);
  if (!location) throw new Error(`unable to parse bucket and key from s3 ARN specified in environmentFile ${arn}`);
  const failed = (reason: string) =>
    new Error(`unable to download env file with key ${location.key} from bucket ${location.bucket}, error: ${reason}`);
  if (!read) throw failed('this agent has no S3 endpoint to download environment files from');
  let bytes: Uint8Array;
  try {
    bytes = await read(location.bucket, location.key);
  } catch (error) {
    throw failed((error as Error).message);
  }
  if (bytes.byteLength > MAX_ENVIRONMENT_FILE_BYTES) {
    throw failed(`the file is ${bytes.byteLength} bytes, over Berth's ${MAX_ENVIRONMENT_FILE_BYTES}-byte limit`);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
