/** Where registry blobs live (--blob-store; docs/multi-server.md, src/blobs/README.md). */
export type BlobStoreConfig =
  /**
   * The data folder (the default). With several servers (BERTH_MULTI_SERVER=on) each keeps blobs on
   * its own disk, a push is acknowledged once `copies` servers hold the blob, and a server lacking a
   * blob fetches it from one that holds it; `peerUrl` is where the others reach this server.
   */
  | { readonly kind: 'data-folder'; readonly copies: number; readonly peerUrl: string | undefined }
  /** An S3-compatible bucket (s3://bucket/prefix): every server reads and writes the same objects. */
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly prefix: string;
      readonly endpoint: URL;
      readonly region: string;
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken: string | undefined;
    };

export const BLOB_SETTINGS = {
  'blob-store': { env: 'BERTH_BLOB_STORE', default: undefined },
  'blob-store-endpoint': { env: 'BERTH_BLOB_STORE_ENDPOINT', default: undefined },
  'blob-store-region': { env: 'BERTH_BLOB_STORE_REGION', default: undefined },
  'blob-store-access-key-id': { env: 'BERTH_BLOB_STORE_ACCESS_KEY_ID', default: undefined },
  'blob-store-secret-access-key': { env: 'BERTH_BLOB_STORE_SECRET_ACCESS_KEY', default: undefined },
  'blob-copies': { env: 'BERTH_BLOB_COPIES', default: undefined },
  'peer-url': { env: 'BERTH_PEER_URL', default: undefined },
} as const;

type Lookup = (name: keyof typeof BLOB_SETTINGS) => { value: string | undefined; source: string };

/** The default number of servers a push must reach before it is acknowledged (several servers). */
export const DEFAULT_BLOB_COPIES = 2;

export function blobStoreOf(
  setting: Lookup,
  env: NodeJS.ProcessEnv,
  options: { multiServer: boolean; region: string },
  fail: (message: string) => never,
): BlobStoreConfig {
  const store = setting('blob-store');
  if (store.value !== undefined)
    return s3Of({ value: store.value, source: store.source }, setting, env, options.region, fail);
  const s3Only = (
    ['blob-store-endpoint', 'blob-store-region', 'blob-store-access-key-id', 'blob-store-secret-access-key'] as const
  )
    .map(setting)
    .find((s) => s.value !== undefined);
  if (s3Only) fail(`${s3Only.source} applies to an S3 blob store (BERTH_BLOB_STORE=s3://bucket/prefix)`);
  const copies = setting('blob-copies');
  const peerUrl = setting('peer-url');
  if (!options.multiServer && (copies.value ?? peerUrl.value) !== undefined) {
    const named = copies.value !== undefined ? copies.source : peerUrl.source;
    fail(`${named} applies to several servers keeping blobs in their data folders (BERTH_MULTI_SERVER=on)`);
  }
  if (copies.value !== undefined && !/^[1-9]$/.test(copies.value)) {
    fail(`${copies.source} must be a number of servers from 1 to 9 (got '${copies.value}')`);
  }
  if (peerUrl.value !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(peerUrl.value)) {
    fail(
      `${peerUrl.source} must be http(s)://host:port, where the other servers reach this one (got '${peerUrl.value}')`,
    );
  }
  return {
    kind: 'data-folder',
    copies: copies.value === undefined ? DEFAULT_BLOB_COPIES : Number(copies.value),
    peerUrl: peerUrl.value?.replace(/\/$/, ''),
  };
}

function s3Of(
  store: { value: string; source: string },
  setting: Lookup,
  env: NodeJS.ProcessEnv,
  serverRegion: string,
  fail: (message: string) => never,
): BlobStoreConfig {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(store.value);
  if (!match) return fail(`${store.source} must be s3://bucket or s3://bucket/prefix (unset: the data folder)`);
  for (const name of ['blob-copies', 'peer-url'] as const) {
    const other = setting(name);
    if (other.value !== undefined)
      fail(`${other.source} applies to blobs in the data folders, not to an S3 blob store`);
  }
  const region = setting('blob-store-region').value ?? serverRegion;
  const endpoint = setting('blob-store-endpoint');
  const endpointText = endpoint.value ?? `https://s3.${region}.amazonaws.com`;
  if (!/^https?:\/\/[^\s]+$/.test(endpointText) || !URL.canParse(endpointText)) {
    fail(`${endpoint.source} must be an http(s) URL (got '${endpointText}')`);
  }
  const ownKey = setting('blob-store-access-key-id').value;
  const accessKeyId = ownKey ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = setting('blob-store-secret-access-key').value ?? env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    return fail(
      'an S3 blob store needs credentials: BERTH_BLOB_STORE_ACCESS_KEY_ID and BERTH_BLOB_STORE_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
    );
  }
  return {
    kind: 's3',
    bucket: match[1]!,
    prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, ''),
    endpoint: new URL(endpointText),
    region,
    accessKeyId,
    secretAccessKey,
    sessionToken: ownKey === undefined ? env.AWS_SESSION_TOKEN : undefined,
  };
}
