import { randomUUID, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { BlobStore } from '../blobs/index.ts';
import { FilesystemBlobStore } from '../blobs/filesystem/filesystem-blob-store.ts';
import { S3BlobStore } from '../blobs/s3/s3-blob-store.ts';
import { PeerClient } from '../blobs/replicated/peer-client.ts';
import { createPeerRoutes } from '../blobs/replicated/peer-routes.ts';
import { ReplicatedBlobStore } from '../blobs/replicated/replicated-blob-store.ts';
import { isMultiServer, type ServerConfig } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import type { MetadataStore } from '../store/index.ts';
import { createAdminHandler, type AdminOptions } from './admin.ts';
import { loopbackOf } from './front-door-tls.ts';

/** A server announces itself (its peer URL) this often; LIVE_WITHIN_MS is five times that. */
const ANNOUNCE_MS = 2000;

type AdminHandler = (request: IncomingMessage, response: ServerResponse, path: string) => Promise<string | undefined>;

export interface RegistryBlobs {
  readonly blobs: BlobStore;
  /** The admin handler (/berth/...), with the peer endpoints of replicated blobs in front (/berth/peer/...). */
  adminHandler(options: AdminOptions): AdminHandler;
}

/**
 * The registry's blob store, as configured (--blob-store; docs/multi-server.md): an S3 bucket; or
 * the data folder, replicated between the servers when several share a PostgreSQL store; or the
 * data folder alone.
 */
export function registryBlobs(
  config: ServerConfig,
  deps: { store: MetadataStore; tokenKey: KeyObject; logger: Logger; port: () => number },
): RegistryBlobs {
  const root = join(config.dataDir, 'registry');
  const blobsConfig = config.blobs;
  if (blobsConfig.kind === 's3') {
    deps.logger.info(
      { endpoint: blobsConfig.endpoint.origin, bucket: blobsConfig.bucket, prefix: blobsConfig.prefix },
      'registry blobs in an S3 bucket',
    );
    return {
      blobs: new S3BlobStore({ ...blobsConfig, spoolDir: join(root, 's3-spool') }),
      adminHandler: createAdminHandler,
    };
  }
  const local = new FilesystemBlobStore(root);
  const locations = deps.store.blobLocations;
  const multiServer = isMultiServer(config.store);
  if (!multiServer || !locations) return { blobs: local, adminHandler: createAdminHandler };
  const self = serverId(root);
  const { copies, peerUrl } = blobsConfig;
  const store = new ReplicatedBlobStore({
    local,
    root,
    locations,
    peers: new PeerClient(deps.tokenKey, self),
    self,
    copies,
    log: (message, detail) => deps.logger.warn(detail, message),
  });
  const announce = async (): Promise<void> => {
    const port = deps.port();
    if (port === 0) return;
    await locations.announce(self, peerUrl ?? `http://${loopbackOf(config.host)}:${port}`);
  };
  const timer = setInterval(() => {
    announce().catch((error: unknown) => deps.logger.debug({ err: String(error) }, 'blob server announcement failed'));
  }, ANNOUNCE_MS);
  timer.unref();
  void announce().catch(() => undefined);
  deps.logger.info({ server: self, copies }, 'registry blobs replicated between the servers');
  void store.recordLocalBlobs().then(
    (count) => deps.logger.info({ count }, 'blobs on this disk recorded for the other servers'),
    (error: unknown) => deps.logger.warn({ err: String(error) }, 'recording the blobs on this disk failed'),
  );
  const peerRoutes = createPeerRoutes({ store, root, key: deps.tokenKey, now: () => Date.now() });
  return {
    blobs: store,
    adminHandler: (options) => {
      const admin = createAdminHandler(options);
      return async (request, response, path) =>
        (await peerRoutes(request, response, path)) ?? admin(request, response, path);
    },
  };
}

/** This server's id among the blob holders: made once, kept in the data folder (not in keys/). */
function serverId(root: string): string {
  const file = join(root, 'server-id');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const id = `${hostname().replace(/[^A-Za-z0-9.-]/g, '-')}-${randomUUID().slice(0, 8)}`;
    mkdirSync(root, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${id}\n`, { mode: 0o600, flag: 'wx' });
    return id;
  }
}
